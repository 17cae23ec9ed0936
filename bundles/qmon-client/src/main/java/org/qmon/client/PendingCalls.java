package org.qmon.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calls of one connection that await a reply, and the order of in-band requests on the wire.
 *
 * <p>All state is guarded by {@code this}; no I/O happens under the lock.
 *
 * <p>{@link #byId} holds the calls whose future the client still has to complete. {@link #inBand}
 * holds every in-band request that was queued for writing and has not been answered yet, in write
 * order, including calls the client gave up on (timed out or cancelled: "abandoned"). QMP answers
 * in-band requests strictly in order, and a reply that carries no {@code id} (the server could not
 * parse a request) is the answer to the oldest of them. Keeping the abandoned ones in the order
 * list is what makes that attribution correct after a timeout: their late reply, with or without
 * an id, consumes their own slot and nobody else's.
 *
 * <p>The attribution is switched off for good when the server is seen answering in-band requests
 * out of order (a reply with a known id that is not the oldest): then the order carries no
 * information, and an id-less error is logged and dropped instead of failing a call that may not
 * be the one it belongs to.
 */
final class PendingCalls {
    private final Map<String, PendingCall> byId = new HashMap<>();
    private final LinkedHashMap<String, PendingCall> inBand = new LinkedHashMap<>();
    private boolean closed;
    private boolean inBandOrdered = true;

    /** Result of {@link #takeOldestInBand()}. */
    record Oldest(boolean found, PendingCall live) {
    }

    /** Registers a call; {@code false} when the connection is already closed. */
    synchronized boolean register(PendingCall call) {
        if (closed) {
            return false;
        }
        byId.put(call.id, call);
        if (!call.oob) {
            inBand.put(call.id, call);
        }
        return true;
    }

    /** The reply with {@code id} arrived: returns the call to complete, or {@code null} (unknown or abandoned). */
    synchronized PendingCall takeReply(String id) {
        if (!inBand.isEmpty() && inBand.containsKey(id)) {
            if (!inBand.keySet().iterator().next().equals(id)) {
                inBandOrdered = false;
            }
            inBand.remove(id);
        }
        return byId.remove(id);
    }

    /**
     * An id-less error arrived: removes the oldest in-band request. {@code found} is {@code false}
     * when there is none or attribution is off; {@code live} is {@code null} when it was abandoned.
     */
    synchronized Oldest takeOldestInBand() {
        if (!inBandOrdered) {
            return new Oldest(false, null);
        }
        Iterator<PendingCall> it = inBand.values().iterator();
        if (!it.hasNext()) {
            return new Oldest(false, null);
        }
        PendingCall oldest = it.next();
        it.remove();
        return new Oldest(true, byId.remove(oldest.id));
    }

    /** The client gave up on a call: its reply is ignored, but its in-band slot stays until answered. */
    synchronized void abandon(PendingCall call) {
        byId.remove(call.id, call);
    }

    synchronized boolean attributesIdlessErrors() {
        return inBandOrdered;
    }

    synchronized int size() {
        return byId.size();
    }

    /** Marks closed and returns every call still awaiting a reply. */
    synchronized List<PendingCall> closeAndDrain() {
        closed = true;
        List<PendingCall> calls = new ArrayList<>(byId.values());
        byId.clear();
        inBand.clear();
        return calls;
    }
}
