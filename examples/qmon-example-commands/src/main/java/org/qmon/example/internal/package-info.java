/**
 * The example command bundle's implementation: {@code example-checksum} (synchronous) and
 * {@code example-countdown} (asynchronous), and their human monitor forms. Nothing is exported: the
 * commands are OSGi services that qmon's dispatcher picks up.
 */
package org.qmon.example.internal;
