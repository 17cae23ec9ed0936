/**
 * The human monitor (HMP) as command bundles see it: a bundle that registers an
 * {@link org.qmon.api.hmp.HmpCommand} service (whiteboard) gives people a command word, typed
 * parameters parsed with QEMU's HMP syntax, help text, and a formatter, over one QMP command it already
 * has. An HMP command carries no logic of its own: the HMP frontend parses the line, calls the QMP
 * command through the dispatcher, and shows the result with the definition's formatter (QEMU's rule:
 * "the HMP command is implemented in terms of the QMP command"). Definitions come and go with their
 * bundles; the socket monitor, the shell commands and QMP's {@code human-monitor-command} all serve the
 * same set.
 *
 * <pre>
 * &#64;Component(service = HmpCommand.class)
 * public final class ScreendumpHmp implements HmpCommand {
 *     public HmpDefinition definition() {
 *         return HmpDefinition.command("screendump")
 *                 .parameters(HmpParameter.filename("filename"), HmpParameter.string("device").optional(),
 *                         HmpParameter.integer("head").optional())
 *                 .params("filename [device [head]]")
 *                 .help("save screen from head 'head' of display device 'device' as image 'filename'")
 *                 .calls("screendump")
 *                 .build();
 *     }
 * }
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.qmon.api.hmp;
