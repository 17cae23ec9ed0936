package org.qmon.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Settings of a {@link QmpClient}. Immutable; start from {@link #defaults()} or {@link #builder()}
 * and derive variants with {@link #toBuilder()}.
 *
 * @param connectTimeout bound for the whole connection setup: socket connect (in accept mode: bind
 *     and the wait for the server to connect), greeting and {@code qmp_capabilities}; default 10 s
 * @param callTimeout default timeout of every call that does not name its own, or {@code null}
 *     for none (the default)
 * @param negotiate whether {@code connect} sends {@code qmp_capabilities}; default {@code true}.
 *     With {@code false} the session is left in capabilities-negotiation mode and the caller sends
 *     {@code qmp_capabilities} itself (the client still tracks which capabilities it enabled)
 * @param negotiateOob whether to enable the {@code oob} capability when the server offers it;
 *     default {@code true}
 * @param eventBufferSize how many undelivered events each subscription buffers before it drops
 *     the oldest; default 1024
 * @param maxReplySize the largest server message (greeting, reply or event) in bytes; a larger one
 *     closes the connection with a {@link QmpProtocolException}; default 64 MiB (QEMU's own input limit)
 * @param objectMapper serialises arguments (maps, records, POJOs) and converts typed results and
 *     typed event data ({@link QmpEvent#data(Class)}). The
 *     default mapper ignores unknown members (QMP clients must) and omits {@code null} properties
 *     (QMP rejects {@code null} for optional arguments); it maps property names 1:1, so use
 *     {@code @JsonProperty("command-line")} for dashed QMP names
 * @param callbackExecutor where every future of the client is completed and events are delivered,
 *     or {@code null} (the default) for a pool owned by the client: at most {@link #CALLBACK_THREADS}
 *     daemon threads run callbacks at once (more work queues), they start on demand and end when idle
 *     for 10 s and at close. A callback of that pool that waits for another future of the same client
 *     ({@code get}, {@code join}, {@link QmpClient#call(String)}) does not count against the bound
 *     while it waits. With an executor of your own, its threads and bounds are yours: callbacks that
 *     block on the same client's replies need enough threads to let those replies through. If the
 *     executor rejects a task, the task runs on a new thread. Never the reader thread, so a slow
 *     callback never stalls the connection
 */
public record QmpClientOptions(
        Duration connectTimeout,
        Duration callTimeout,
        boolean negotiate,
        boolean negotiateOob,
        int eventBufferSize,
        long maxReplySize,
        ObjectMapper objectMapper,
        Executor callbackExecutor) {

    /** The default connect timeout: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The default per-subscription event buffer: 1024 events. */
    public static final int DEFAULT_EVENT_BUFFER_SIZE = 1024;
    /** The default maximum server message size: 64 MiB. */
    public static final long DEFAULT_MAX_REPLY_SIZE = 64L << 20;
    /**
     * How many threads of the client-owned callback pool (used when {@link #callbackExecutor()} is
     * {@code null}) run callbacks at once: 4. Enough for completions and event listeners, which are
     * short; a burst of replies queues instead of starting a thread each.
     */
    public static final int CALLBACK_THREADS = 4;

    /**
     * Validates the components.
     *
     * @param connectTimeout positive
     * @param callTimeout {@code null} or positive
     * @param negotiate whether to send {@code qmp_capabilities}
     * @param negotiateOob whether to enable {@code oob}
     * @param eventBufferSize at least 1
     * @param maxReplySize at least 1
     * @param objectMapper not {@code null}
     * @param callbackExecutor may be {@code null}
     */
    public QmpClientOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        if (callTimeout != null && (callTimeout.isNegative() || callTimeout.isZero())) {
            throw new IllegalArgumentException("callTimeout must be positive or null: " + callTimeout);
        }
        if (eventBufferSize < 1) {
            throw new IllegalArgumentException("eventBufferSize must be at least 1: " + eventBufferSize);
        }
        if (maxReplySize < 1) {
            throw new IllegalArgumentException("maxReplySize must be at least 1: " + maxReplySize);
        }
        Objects.requireNonNull(objectMapper, "objectMapper");
    }

    /**
     * The defaults: connect timeout 10 s, no call timeout, negotiate with {@code oob} when offered,
     * 1024 buffered events per subscription, 64 MiB maximum message size, the default object mapper,
     * a client-owned callback pool of {@link #CALLBACK_THREADS} threads.
     *
     * @return a new options object with the defaults
     */
    public static QmpClientOptions defaults() {
        return builder().build();
    }

    /**
     * A builder initialised with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder initialised with these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.callTimeout = callTimeout;
        b.negotiate = negotiate;
        b.negotiateOob = negotiateOob;
        b.eventBufferSize = eventBufferSize;
        b.maxReplySize = maxReplySize;
        b.objectMapper = objectMapper;
        b.callbackExecutor = callbackExecutor;
        return b;
    }

    /**
     * A new instance of the default object mapper: unknown properties ignored, {@code null}
     * properties omitted, names mapped 1:1.
     *
     * @return a new mapper
     */
    public static ObjectMapper defaultObjectMapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    /** Builds {@link QmpClientOptions}; every setter returns the builder. */
    public static final class Builder {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration callTimeout;
        private boolean negotiate = true;
        private boolean negotiateOob = true;
        private int eventBufferSize = DEFAULT_EVENT_BUFFER_SIZE;
        private long maxReplySize = DEFAULT_MAX_REPLY_SIZE;
        private ObjectMapper objectMapper;
        private Executor callbackExecutor;

        private Builder() {
        }

        /**
         * Sets the bound for socket connect, greeting and negotiation.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Sets the default timeout of calls that name none.
         *
         * @param timeout positive, or {@code null} for none
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = timeout;
            return this;
        }

        /**
         * Sets whether {@code connect} sends {@code qmp_capabilities}.
         *
         * @param negotiate {@code false} to leave the session in negotiation mode
         * @return this builder
         */
        public Builder negotiate(boolean negotiate) {
            this.negotiate = negotiate;
            return this;
        }

        /**
         * Sets whether to enable {@code oob} when the server offers it.
         *
         * @param negotiateOob {@code false} to never enable it
         * @return this builder
         */
        public Builder negotiateOob(boolean negotiateOob) {
            this.negotiateOob = negotiateOob;
            return this;
        }

        /**
         * Sets how many undelivered events each subscription buffers.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder eventBufferSize(int size) {
            this.eventBufferSize = size;
            return this;
        }

        /**
         * Sets the largest server message accepted, in bytes.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxReplySize(long bytes) {
            this.maxReplySize = bytes;
            return this;
        }

        /**
         * Sets the mapper for arguments and typed results.
         *
         * @param mapper the mapper, or {@code null} for a new {@link #defaultObjectMapper()}
         * @return this builder
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.objectMapper = mapper;
            return this;
        }

        /**
         * Sets where futures are completed and events delivered (see {@link QmpClientOptions#callbackExecutor()}).
         *
         * @param executor the executor, or {@code null} for a client-owned pool of
         *     {@link QmpClientOptions#CALLBACK_THREADS} threads
         * @return this builder
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = executor;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if a value is out of range
         */
        public QmpClientOptions build() {
            return new QmpClientOptions(connectTimeout, callTimeout, negotiate, negotiateOob, eventBufferSize,
                    maxReplySize, objectMapper == null ? defaultObjectMapper() : objectMapper, callbackExecutor);
        }
    }
}
