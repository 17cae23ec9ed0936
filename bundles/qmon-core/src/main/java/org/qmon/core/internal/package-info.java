/**
 * qmon's built-in commands, each a DS component implementing {@link org.qmon.api.Command}, and the
 * run-state they share. Private to the bundle.
 */
package org.qmon.core.internal;
