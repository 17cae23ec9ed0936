package org.qmon.core.internal.devices;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.osgi.service.metatype.AttributeDefinition;
import org.qmon.api.CommandException;

/**
 * One property a driver's devices take, read from the driver's Metatype attribute definition: its
 * name, Metatype type, description and default, and the attribute's own check. It converts a value
 * from {@code device_add}'s arguments to the type the configuration stores, with QEMU's texts
 * (QEMU converts every device property from its string form, so numbers written as strings are
 * accepted too).
 *
 * @param name the property (attribute) id
 * @param type the Metatype type, e.g. {@link AttributeDefinition#INTEGER}
 * @param description the attribute's description, or {@code null}
 * @param defaultValue the default, converted to the type, or {@code null}
 * @param validator the attribute's {@code validate}: {@code ""} or {@code null} when the value is
 *        acceptable, else the reason
 */
record PropertySpec(String name, int type, String description, Object defaultValue,
        UnaryOperator<String> validator) {

    /** Booleans as QEMU's string input visitor spells them ({@code qapi_bool_parse}). */
    private static final Map<String, Boolean> BOOLEANS = Map.of("on", true, "yes", true, "true", true, "y", true,
            "off", false, "no", false, "false", false, "n", false);

    /**
     * Reads an attribute definition.
     *
     * @param ad the definition
     * @return the spec
     */
    static PropertySpec of(AttributeDefinition ad) {
        String[] defaults = ad.getDefaultValue();
        Object dflt = null;
        if (defaults != null && defaults.length == 1) {
            try {
                dflt = parse(ad.getType(), defaults[0]);
            } catch (IllegalArgumentException e) {
                dflt = null; // a default that does not parse is no default
            }
        }
        String description = ad.getDescription();
        return new PropertySpec(ad.getID(), ad.getType(), description == null || description.isEmpty() ? null : description,
                dflt, ad::validate);
    }

    /**
     * The QOM type name QEMU would show for this property.
     *
     * @return e.g. {@code int32}, {@code bool}, {@code str}
     */
    String qomType() {
        return qomType(type);
    }

    /**
     * QOM type names of the Metatype types.
     *
     * @param type a Metatype type
     * @return its QOM name
     */
    static String qomType(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> "int32";
            case AttributeDefinition.LONG -> "int64";
            case AttributeDefinition.SHORT -> "int16";
            case AttributeDefinition.BYTE -> "int8";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.BOOLEAN -> "bool";
            default -> "str";
        };
    }

    /**
     * The QOM type name of a property value a device shows.
     *
     * @param value a {@link String}, {@link Boolean}, {@link Integer}, {@link Long} or {@link Double}
     * @return its QOM name
     */
    static String qomTypeOf(Object value) {
        if (value instanceof Integer) {
            return "int32";
        }
        if (value instanceof Long) {
            return "int64";
        }
        if (value instanceof Short) {
            return "int16";
        }
        if (value instanceof Byte) {
            return "int8";
        }
        if (value instanceof Double || value instanceof Float) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        return "str";
    }

    /**
     * Converts a {@code device_add} argument to the configuration's value, then applies the
     * attribute's check.
     *
     * @param driver the driver name, for the texts
     * @param value the JSON value in the dispatcher's neutral form
     * @return the typed value
     * @throws CommandException with QEMU's text when it does not fit
     */
    Object convert(String driver, Object value) throws CommandException {
        String text = scalarText(value);
        Object typed;
        if (text == null) {
            typed = null;
        } else if (type == AttributeDefinition.BOOLEAN && value instanceof Boolean b) {
            typed = b;
        } else {
            try {
                typed = parse(type, text);
            } catch (ArithmeticException e) {
                throw CommandException.generic("Parameter '" + name + "' expects " + rangeName(type));
            } catch (IllegalArgumentException e) {
                typed = null;
            }
        }
        if (typed == null) {
            throw CommandException.generic("Parameter '" + name + "' expects " + expected(type));
        }
        String reason = validator == null ? null : validator.apply(String.valueOf(typed));
        if (reason != null && !reason.isEmpty()) {
            // Felix Metatype returns its texts as "%key" (a localisation key); the key reads well.
            String r = reason.startsWith("%") ? reason.substring(1) : reason;
            throw CommandException.generic("Property '" + driver + "." + name + "' doesn't take value '" + text
                    + "' (" + r + ")");
        }
        return typed;
    }

    /**
     * A scalar as QEMU's {@code qemu_opts_from_qdict} writes it: strings as they are, integers in
     * decimal, booleans as {@code on}/{@code off}; {@code null} for objects, arrays and JSON null.
     *
     * @param value a neutral JSON value
     * @return its text, or {@code null}
     */
    static String scalarText(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Boolean b) {
            return b ? "on" : "off";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        if (value instanceof Number n) {
            return Double.toString(n.doubleValue());
        }
        return null;
    }

    private static Object parse(int type, String text) {
        switch (type) {
            case AttributeDefinition.INTEGER:
                return (int) integer(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case AttributeDefinition.LONG:
                return integer(text, Long.MIN_VALUE, Long.MAX_VALUE);
            case AttributeDefinition.SHORT:
                return (short) integer(text, Short.MIN_VALUE, Short.MAX_VALUE);
            case AttributeDefinition.BYTE:
                return (byte) integer(text, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case AttributeDefinition.DOUBLE:
            case AttributeDefinition.FLOAT: {
                double d = Double.parseDouble(text.strip());
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("not finite");
                }
                return type == AttributeDefinition.FLOAT ? (Object) (float) d : (Object) d;
            }
            case AttributeDefinition.BOOLEAN: {
                Boolean b = BOOLEANS.get(text.toLowerCase(Locale.ROOT));
                if (b == null) {
                    throw new IllegalArgumentException("not a boolean");
                }
                return b;
            }
            case AttributeDefinition.CHARACTER:
                if (text.length() != 1) {
                    throw new IllegalArgumentException("not one character");
                }
                return text.charAt(0);
            default:
                return text;
        }
    }

    /**
     * An integer as QEMU's {@code qemu_strtoi64} reads it: optional leading white space and sign,
     * decimal, or hexadecimal with {@code 0x}.
     *
     * @throws IllegalArgumentException when it is no integer
     * @throws ArithmeticException when it is one, out of range
     */
    private static long integer(String text, long min, long max) {
        String t = text.stripLeading();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        int radix = 10;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            t = t.substring(2);
            radix = 16;
        }
        if (t.isEmpty() || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
            throw new IllegalArgumentException("not an integer");
        }
        BigInteger v;
        try {
            v = new BigInteger(t, radix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer", e);
        }
        if (negative) {
            v = v.negate();
        }
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new ArithmeticException("out of range");
        }
        return v.longValueExact();
    }

    private static String expected(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG, AttributeDefinition.SHORT,
                    AttributeDefinition.BYTE -> "integer";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.BOOLEAN -> "'on' or 'off'";
            case AttributeDefinition.CHARACTER -> "a character";
            default -> "string";
        };
    }

    /** QEMU's names in {@code visit_type_intN}'s range error. */
    private static String rangeName(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> "int32_t";
            case AttributeDefinition.SHORT -> "int16_t";
            case AttributeDefinition.BYTE -> "int8_t";
            default -> "int64_t";
        };
    }

    /** The Metatype types a device property may have (single values only). */
    static final List<Integer> SUPPORTED = List.of(AttributeDefinition.STRING, AttributeDefinition.LONG,
            AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.CHARACTER,
            AttributeDefinition.BYTE, AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT,
            AttributeDefinition.BOOLEAN);
}
