package org.qmon.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the outcome of one {@link Display#nextFrame} request: exactly one of its methods is called,
 * once, unless the request was cancelled first.
 */
@ConsumerType
public interface FrameListener {

    /**
     * The frame. Called on the display's worker thread; the same {@link Frame} instance goes to every
     * request served by one refresh.
     *
     * @param frame the rendered frame, immutable
     */
    void frame(Frame frame);

    /**
     * The display cannot deliver a frame: it was removed before its next refresh.
     *
     * @param reason a sentence for the client, e.g. {@code Display 'display0' was removed before its next frame}
     */
    void unavailable(String reason);
}
