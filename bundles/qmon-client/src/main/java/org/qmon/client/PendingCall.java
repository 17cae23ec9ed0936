package org.qmon.client;

import com.fasterxml.jackson.databind.JsonNode;
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
    final CompletableFuture<JsonNode> future = new CompletableFuture<>();
    /** The scheduled timeout, if any; written once by the sending thread before the request is queued. */
    volatile Future<?> timeout;

    PendingCall(String id, String command, boolean oob, Set<String> requestedCapabilities) {
        this.id = id;
        this.command = command;
        this.oob = oob;
        this.requestedCapabilities = requestedCapabilities;
    }

    void cancelTimeout() {
        Future<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
