package org.qmon.hmp.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The Gogo shell's command properties as a component property type, so a shell command needs no string
 * properties. Private to this bundle on purpose: it carries no requirement on a shell.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface GogoCommand {

    /** The prefix of Gogo's properties. */
    String PREFIX_ = "osgi.command.";

    /** The scope property. */
    String SCOPE = PREFIX_ + "scope";

    /** The function property. */
    String FUNCTION = PREFIX_ + "function";

    /** @return the scope, e.g. {@code hmp} */
    String scope();

    /** @return the function names the service's public methods answer to */
    String[] function();
}
