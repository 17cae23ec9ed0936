package org.qmon.api.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Names a {@link org.qmon.api.Command} or {@link org.qmon.api.AsyncCommand} component and declares its
 * execution traits, as service properties the dispatcher reads:
 *
 * <pre>
 * &#64;Component(service = Command.class)
 * &#64;QmpCommand(name = "query-status")
 * public class QueryStatus implements Command&lt;NoArguments, StatusInfo&gt; { ... }
 * </pre>
 *
 * <p>Service properties (prefix {@value #PREFIX_}):
 * <ul>
 * <li>{@code qmon.command.name} ({@code String}, required): the QMP command name, e.g.
 *     {@code query-status}. Names starting with {@code x-} are experimental, {@code __} downstream.</li>
 * <li>{@code qmon.command.allowOob} ({@code Boolean}, default {@code false}): the command may be run
 *     with {@code exec-oob}; it then runs at once, ahead of queued in-band commands, and must not
 *     block.</li>
 * <li>{@code qmon.command.nonBlocking} ({@code Boolean}, default {@code false}): the handler's
 *     {@code execute} neither blocks nor computes for long (microseconds, not milliseconds), so the
 *     dispatcher may run it on the thread that read the request instead of handing it to a worker,
 *     which saves a thread hand-off per request. {@code allowOob} implies it. A handler that claims it
 *     falsely delays every client served by the same I/O thread.</li>
 * <li>{@code qmon.command.allowBeforeNegotiation} ({@code Boolean}, default {@code false}): a QMP session
 *     may run the command while it is still in capabilities negotiation mode. In QEMU only
 *     {@code qmp_capabilities} may; every other command is answered {@code CommandNotFound},
 *     "Expecting capabilities negotiation with 'qmp_capabilities'", until negotiation is done.</li>
 * <li>{@code qmon.command.description} ({@code String}): one line of help.</li>
 * <li>{@code qmon.command.features} ({@code String[]}): QAPI features listed for the command in
 *     {@code query-qmp-schema}, e.g. {@code deprecated}, {@code unstable}. A handler class annotated
 *     {@link Deprecated} has {@code deprecated} too.</li>
 * <li>{@code qmon.command.timeout} ({@code Double}, seconds, default 0 = none): the command's own
 *     deadline. A call still running after it is cancelled and answered with a {@code GenericError};
 *     the dispatcher's limit and a client's per-call deadline apply too, and the shortest wins.</li>
 * </ul>
 * A clash of names is resolved by {@code service.ranking}, then by the lower service id; the loser is
 * kept and takes over when the winner leaves.
 */
@ComponentPropertyType
@RequireDispatcher
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface QmpCommand {

    /** The prefix of every property this annotation produces. */
    String PREFIX_ = "qmon.command.";

    /** Property key of the command name. */
    String NAME = PREFIX_ + "name";
    /** Property key of the out-of-band trait. */
    String ALLOW_OOB = PREFIX_ + "allowOob";
    /** Property key of the non-blocking trait. */
    String NON_BLOCKING = PREFIX_ + "nonBlocking";
    /** Property key of the before-negotiation trait. */
    String ALLOW_BEFORE_NEGOTIATION = PREFIX_ + "allowBeforeNegotiation";
    /** Property key of the help line. */
    String DESCRIPTION = PREFIX_ + "description";
    /** Property key of the schema features. */
    String FEATURES = PREFIX_ + "features";
    /** Property key of the default timeout in seconds. */
    String TIMEOUT = PREFIX_ + "timeout";

    /**
     * The QMP command name.
     *
     * @return the name
     */
    String name();

    /**
     * Whether {@code exec-oob} may run this command.
     *
     * @return {@code true} to allow out-of-band execution
     */
    boolean allowOob() default false;

    /**
     * Whether the handler's {@code execute} returns promptly without blocking, so that it may run on
     * the I/O thread that read the request. An {@link org.qmon.api.AsyncCommand} that only starts work
     * elsewhere qualifies; a handler that waits for a lock, a device or a file does not.
     *
     * @return {@code true} to allow inline execution
     * @since 1.1
     */
    boolean nonBlocking() default false;

    /**
     * Whether a QMP session may run this command before capabilities negotiation has completed.
     *
     * @return {@code true} to allow it in negotiation mode
     * @since 1.2
     */
    boolean allowBeforeNegotiation() default false;

    /**
     * One line of help for people.
     *
     * @return the description
     */
    String description() default "";

    /**
     * The command's features in {@code query-qmp-schema} (QEMU's QAPI features), e.g.
     * {@code deprecated} or {@code unstable}.
     *
     * @return the feature names
     * @since 1.2
     */
    String[] features() default {};

    /**
     * The command's default deadline in seconds: a call still running after it is cancelled (the
     * handler sees {@link org.qmon.api.CommandContext#isCancelled()} and its cancel actions run) and
     * answered {@code Command <name> timed out after <n> s}. 0 (the default) declares none. The
     * dispatcher's own limit and a client's per-call deadline apply as well; the shortest wins.
     *
     * @return seconds, 0 for none
     * @since 1.3
     */
    double timeout() default 0;
}
