package org.qmon.example.internal;

import java.util.Set;

import org.qmon.api.CommandContext;

/** A command context as the QMP frontend hands it over, for calling handlers directly in unit tests. */
record TestContext(long sessionId, String frontend) implements CommandContext {

    static final TestContext QMP = new TestContext(1, FRONTEND_QMP);

    @Override
    public Set<String> capabilities() {
        return Set.of();
    }

    @Override
    public boolean outOfBand() {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
