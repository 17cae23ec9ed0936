/**
 * The virtual display device (driver {@code qmon-display}, factory PID {@code org.qmon.display}) and
 * the {@code screendump} command. Private to the bundle: other bundles use the displays through
 * {@link org.qmon.api.device.Display}.
 */
package org.qmon.display.internal;
