/**
 * DS component property types for command bundles, so that a command needs no string properties.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.qmon.api.annotations;
