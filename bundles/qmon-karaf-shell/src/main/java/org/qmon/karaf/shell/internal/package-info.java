/**
 * Karaf shell actions for qmon. Karaf finds them through the bundle's {@code Karaf-Commands} header;
 * nothing is exported.
 */
package org.qmon.karaf.shell.internal;
