/**
 * The HMP frontend: {@link org.qmon.hmp.internal.HmpRegistry} tracks the
 * {@link org.qmon.api.hmp.HmpCommand} definitions (whiteboard) into {@link org.qmon.hmp.internal.HmpTables};
 * {@link org.qmon.hmp.internal.HmpInterpreter} runs one line (look-up, {@link org.qmon.hmp.internal.HmpParser},
 * the QMP command through a dispatcher session, the formatter); the socket monitor
 * ({@link org.qmon.hmp.internal.HmpListener}, {@link org.qmon.hmp.internal.HmpConnection}), the shell
 * commands ({@link org.qmon.hmp.internal.HmpShell}) and {@code human-monitor-command}
 * ({@link org.qmon.hmp.internal.HumanMonitorCommand}) are its three faces. The built-in definitions
 * ({@code info status}, {@code stop}, ...) are ordinary {@code HmpCommand} components. Private to the
 * bundle.
 */
package org.qmon.hmp.internal;
