/**
 * The handler SPI of qmon: what a command bundle implements ({@link org.qmon.api.Command},
 * {@link org.qmon.api.AsyncCommand}) and the objects the platform hands it
 * ({@link org.qmon.api.Completion}, {@link org.qmon.api.CommandContext}).
 *
 * <p>Arguments and results are plain Java records. The dispatcher reads the argument type {@code A}
 * and the result type {@code R} from the handler's generic interface and binds the QMP
 * {@code arguments} object to {@code A} strictly, before the handler runs, with QEMU's error texts.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.1")
package org.qmon.api;
