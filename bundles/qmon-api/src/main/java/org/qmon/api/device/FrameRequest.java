package org.qmon.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One pending {@link Display#nextFrame} request, implemented by the display (a driver bundle, like the
 * display itself).
 */
@ConsumerType
public interface FrameRequest {

    /**
     * Withdraws the request: if no frame has been handed to its listener yet, none will be, and the
     * display forgets it at once (a cancelled request holds no memory and costs no render).
     *
     * @return {@code true} if this call withdrew it; {@code false} if it was already served, failed or
     *         cancelled
     */
    boolean cancel();
}
