package org.qmon.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A display device: it renders frames, one per refresh, while someone waits for one. {@code screendump}
 * asks a display for its next frame and writes it to a file.
 *
 * <p>A display renders on its own worker, at most at its refresh rate, and only while a request is
 * waiting: every request waiting when a frame is rendered gets that same frame (as a vertical refresh
 * serves every reader at once), so any number of requests cost one render per refresh. While the
 * machine is stopped the picture freezes: the display hands out its last frame again.
 */
@ConsumerType
public interface Display extends Device {

    /**
     * The number of heads (outputs), numbered from 0.
     *
     * @return at least 1
     */
    int heads();

    /**
     * Asks for the next frame rendered for a head. The listener is called exactly once: with the frame,
     * on the display's worker thread, or with the reason it cannot have one (the display was removed),
     * on the worker or, when the display is already gone, on the calling thread. This method returns
     * at once and never blocks.
     *
     * @param head the head, {@code 0 <= head < heads()}
     * @param listener receives the outcome; it runs on the display's worker, which renders nothing else
     *        until it returns, so it should finish in milliseconds
     * @return the request, to cancel it if its caller no longer waits
     * @throws IllegalArgumentException when the head does not exist
     */
    FrameRequest nextFrame(int head, FrameListener listener);
}
