package org.qmon.api.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.annotation.bundle.Requirement;

/**
 * Makes a bundle that declares commands require the qmon dispatcher, so that a resolver (bnd, Karaf
 * features) installs it. Applied through {@link QmpCommand}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.PACKAGE, ElementType.ANNOTATION_TYPE})
@Requirement(namespace = "osgi.implementation", name = RequireDispatcher.NAME, version = RequireDispatcher.VERSION)
public @interface RequireDispatcher {
    /** The implementation capability's name. */
    String NAME = "qmon.dispatcher";
    /** The implementation capability's version. */
    String VERSION = "1.0.0";
}
