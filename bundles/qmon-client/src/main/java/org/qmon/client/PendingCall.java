package org.qmon.client;

import com.fasterxml.jackson.databind.JavaType;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/** One request awaiting its reply. */
final class PendingCall {
    final String id;
    final String command;
    final boolean oob;
    /** For {@code qmp_capabilities}: the capabilities it asks to enable; otherwise {@code null}. */
    final Set<String> requestedCapabilities;
    /** What the {@code return} value is converted to; {@code null} for the raw {@code JsonNode}. */
    final JavaType resultType;
    /** Completed on the callback executor only, with the converted result. */
    final CompletableFuture<Object> future;
    /** The scheduled timeout, if any; written once by the sending thread after the request is queued. */
    volatile Future<?> timeout;

    PendingCall(String id, String command, boolean oob, Set<String> requestedCapabilities, JavaType resultType,
            CompletableFuture<Object> future) {
        this.id = id;
        this.command = command;
        this.oob = oob;
        this.requestedCapabilities = requestedCapabilities;
        this.resultType = resultType;
        this.future = future;
    }

    void cancelTimeout() {
        Future<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
