package org.qmon.itests.karaf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.qmon.client.QmpClient;
import org.qmon.client.QmpClientOptions;
import org.qmon.client.QmpEvent;
import org.qmon.client.QmpException;

/**
 * A QMP client for the tests, over qmon-client from the {@code qmon-client} feature. Kept out of the test
 * class so that Jackson's and the client's classes are loaded only when a test uses it, after the
 * features that bring them are installed.
 */
final class Qmp implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** An asynchronous command's answer and the event it sent first. */
    record Countdown(JsonNode event, JsonNode reply) {
    }

    private final QmpClient client;

    private Qmp(QmpClient client) {
        this.client = client;
    }

    /** Connects and negotiates. */
    static Qmp connect(String endpoint) {
        return new Qmp(QmpClient.connect(endpoint,
                QmpClientOptions.builder().connectTimeout(TIMEOUT).callTimeout(TIMEOUT).build()));
    }

    /** Calls a command and returns its result. */
    JsonNode call(String command, Map<String, ?> arguments) {
        return client.call(command, arguments);
    }

    /** Calls a command that must fail; returns {@code CLASS: desc}. */
    String error(String command, Map<String, ?> arguments) {
        try {
            JsonNode r = client.call(command, arguments);
            throw new AssertionError(command + " answered " + r);
        } catch (QmpException e) {
            return e.errorClass() + ": " + e.description();
        }
    }

    /** The names query-commands lists. */
    List<String> commands() {
        List<String> names = new ArrayList<>();
        client.call("query-commands").forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    /** example-countdown: the event, which must arrive before the reply, and the reply. */
    Countdown countdown(int seconds, String tag) throws Exception {
        CompletableFuture<QmpEvent> event = client.nextEvent("EXAMPLE_COUNTDOWN_DONE");
        CompletableFuture<JsonNode> reply = client.execute("example-countdown", Map.of("seconds", seconds, "tag", tag));
        JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!event.isDone()) {
            throw new AssertionError("the reply came before EXAMPLE_COUNTDOWN_DONE");
        }
        return new Countdown(event.get().data(), r);
    }

    @Override
    public void close() {
        client.close();
    }
}
