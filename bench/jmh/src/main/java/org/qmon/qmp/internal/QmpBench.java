package org.qmon.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** Opens the QMP frontend's package-private conversions to the benchmarks outside the package. */
public final class QmpBench {

    private QmpBench() {
    }

    /**
     * The neutral form of a parsed JSON value, as the QMP frontend submits arguments.
     *
     * @param node the value
     * @return maps, lists, strings, numbers, booleans or null
     */
    public static Object toNeutral(JsonNode node) {
        return RequestChecker.toNeutral(node);
    }
}
