package org.qmon.jobs.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The Gogo shell's command properties as a component property type. Private to this bundle on purpose:
 * it carries no requirement on a shell, so the bundle resolves where there is none.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface GogoCommand {

    /** The prefix of Gogo's properties. */
    String PREFIX_ = "osgi.command.";

    /** @return the scope, e.g. {@code qmon} */
    String scope();

    /** @return the function names the service's public methods answer to */
    String[] function();
}
