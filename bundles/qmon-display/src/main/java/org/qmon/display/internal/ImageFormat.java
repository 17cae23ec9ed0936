package org.qmon.display.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/** QEMU's {@code ImageFormat}: the formats {@code screendump} writes. */
public enum ImageFormat {
    /** Binary PPM ({@code P6}), QEMU's default. */
    @JsonProperty("ppm") PPM,
    /** PNG, 8-bit RGB. */
    @JsonProperty("png") PNG
}
