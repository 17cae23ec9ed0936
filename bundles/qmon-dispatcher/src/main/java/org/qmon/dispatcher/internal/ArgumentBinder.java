package org.qmon.dispatcher.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.qmon.api.CommandException;

/**
 * Binds a QMP {@code arguments} object to a handler's argument record, strictly and before the handler
 * runs, with the texts of QEMU's QObject input visitor ({@code qapi/qobject-input-visitor.c}):
 *
 * <ul>
 * <li>{@code Parameter 'x' is missing} for a required member that is absent;</li>
 * <li>{@code Invalid parameter type for 'x', expected: string|integer|number|boolean|object|array};</li>
 * <li>{@code Parameter 'x' expects int32} (etc.) for an integer out of the Java type's range;</li>
 * <li>{@code Parameter 'x' does not accept value 'v'} for an enum value that is not a constant;</li>
 * <li>{@code Parameter 'x' is unexpected} for a member the record does not have, checked after the
 *     declared members, as QEMU's {@code visit_check_struct} does.</li>
 * </ul>
 *
 * <p>Members are the record components, in declaration order. The wire name is the component's
 * {@link JsonProperty} value, else its Java name. A component of type {@link Optional} is optional;
 * every other one is required. Nested names are joined with {@code .} and list elements are written
 * {@code name[i]}, QEMU's "full names". Enum constants are matched by their {@link JsonProperty} value,
 * else their {@code name()}, which is how Jackson writes them in results.
 *
 * <p>Thread-safe: the per-type plans are immutable and cached in a concurrent map.
 */
final class ArgumentBinder {

    /** Converts one JSON value at a given full name into a Java value. */
    @FunctionalInterface
    private interface Converter {
        Object convert(JsonNode node, String fullName) throws CommandException;
    }

    private record Member(String wireName, boolean optional, Converter converter) {
    }

    private final Map<Type, Converter> converters = new ConcurrentHashMap<>();

    /**
     * Checks up front that a type can be bound, so that an unusable handler is rejected when it
     * registers rather than when it is first called.
     *
     * @param type the argument type
     * @throws IllegalArgumentException naming what is not supported
     */
    void check(Type type) {
        converterFor(type);
    }

    /**
     * Binds the arguments.
     *
     * @param type the argument record type (or {@link JsonNode}/{@link ObjectNode} for raw access)
     * @param arguments the arguments object, or {@code null} when the request had none
     * @return the bound value
     * @throws CommandException with QEMU's text when the arguments do not fit
     */
    /** The arguments of a request that had none, for converters that only read. Never handed out. */
    private static final ObjectNode NO_ARGUMENTS = JsonNodeFactory.instance.objectNode();

    Object bind(Type type, ObjectNode arguments) throws CommandException {
        // A handler that takes the raw node gets its own; record converters only read, so they share
        // one empty object (a request without arguments then allocates nothing here).
        ObjectNode args = arguments != null ? arguments
                : type instanceof Class<?> c && JsonNode.class.isAssignableFrom(c) ? JsonNodeFactory.instance.objectNode()
                : NO_ARGUMENTS;
        return converterFor(type).convert(args, null);
    }

    private Converter converterFor(Type type) {
        Converter c = converters.get(type);
        if (c == null) {
            // Not computeIfAbsent: building a plan recurses into component types, which would
            // modify the map from inside its own compute function.
            c = build(type);
            Converter raced = converters.putIfAbsent(type, c);
            if (raced != null) {
                c = raced;
            }
        }
        return c;
    }

    private Converter build(Type type) {
        if (type instanceof Class<?> cls) {
            return buildForClass(cls);
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            Converter element = converterFor(p.getActualTypeArguments()[0]);
            return (node, name) -> {
                if (!node.isArray()) {
                    throw typeError(name, "array");
                }
                List<Object> list = new ArrayList<>(node.size());
                int i = 0;
                for (JsonNode e : node) {
                    list.add(element.convert(e, elementName(name, i++)));
                }
                return Collections.unmodifiableList(list);
            };
        }
        throw new IllegalArgumentException("unsupported argument type " + type.getTypeName());
    }

    private Converter buildForClass(Class<?> cls) {
        if (cls == String.class) {
            return (node, name) -> {
                if (!node.isTextual()) {
                    throw typeError(name, "string");
                }
                return node.textValue();
            };
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return (node, name) -> {
                if (!node.isBoolean()) {
                    throw typeError(name, "boolean");
                }
                return node.booleanValue();
            };
        }
        if (cls == int.class || cls == Integer.class) {
            return (node, name) -> (int) integer(node, name, Integer.MIN_VALUE, Integer.MAX_VALUE, "int32");
        }
        if (cls == long.class || cls == Long.class) {
            return (node, name) -> integer(node, name, Long.MIN_VALUE, Long.MAX_VALUE, "int64");
        }
        if (cls == short.class || cls == Short.class) {
            return (node, name) -> (short) integer(node, name, Short.MIN_VALUE, Short.MAX_VALUE, "int16");
        }
        if (cls == byte.class || cls == Byte.class) {
            return (node, name) -> (byte) integer(node, name, Byte.MIN_VALUE, Byte.MAX_VALUE, "int8");
        }
        if (cls == double.class || cls == Double.class) {
            return (node, name) -> {
                if (!node.isNumber()) {
                    throw typeError(name, "number");
                }
                return node.doubleValue();
            };
        }
        if (cls == BigInteger.class) {
            return (node, name) -> {
                if (!node.isIntegralNumber()) {
                    throw typeError(name, "integer");
                }
                return node.bigIntegerValue();
            };
        }
        if (JsonNode.class.isAssignableFrom(cls)) {
            return jsonConverter(cls);
        }
        if (cls.isEnum()) {
            return enumConverter(cls);
        }
        if (cls.isRecord()) {
            return recordConverter(cls);
        }
        throw new IllegalArgumentException("unsupported argument type " + cls.getName()
                + " (use String, boolean, int, long, double, an enum, List, a record, Optional or JsonNode)");
    }

    private static Converter jsonConverter(Class<?> cls) {
        if (cls == ObjectNode.class) {
            return (node, name) -> {
                if (!node.isObject()) {
                    throw typeError(name, "object");
                }
                return node;
            };
        }
        return (node, name) -> node;
    }

    private static Converter enumConverter(Class<?> cls) {
        Map<String, Object> byWireName = new HashMap<>();
        for (Object constant : cls.getEnumConstants()) {
            Enum<?> e = (Enum<?>) constant;
            byWireName.put(enumWireName(cls, e), e);
        }
        return (node, name) -> {
            if (!node.isTextual()) {
                throw typeError(name, "string");
            }
            Object value = byWireName.get(node.textValue());
            if (value == null) {
                throw CommandException.generic("Parameter '" + enumParameterName(name)
                        + "' does not accept value '" + node.textValue() + "'");
            }
            return value;
        };
    }

    /**
     * QEMU's enum error names the bare member, not its full name, and {@code null} for a list element
     * (checked against QEMU 7.2: {@code enable: ["bogus"]} gives {@code Parameter 'null' ...}).
     */
    private static String enumParameterName(String fullName) {
        if (fullName == null || fullName.endsWith("]")) {
            return "null";
        }
        return fullName.substring(fullName.lastIndexOf('.') + 1);
    }

    /**
     * The wire name of an enum constant, as Jackson writes it: its {@link JsonProperty} value, else
     * {@code name()}.
     */
    static String enumWireName(Class<?> enumType, Enum<?> constant) {
        try {
            Field f = enumType.getField(constant.name());
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p != null && !p.value().isEmpty()) {
                return p.value();
            }
        } catch (NoSuchFieldException e) {
            // An enum constant is always a public field; fall through to the name.
        }
        return constant.name();
    }

    private Converter recordConverter(Class<?> cls) {
        RecordComponent[] components = cls.getRecordComponents();
        Member[] members = new Member[components.length];
        Class<?>[] parameterTypes = new Class<?>[components.length];
        Set<String> known = new HashSet<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent rc = components[i];
            parameterTypes[i] = rc.getType();
            JsonProperty p = rc.getAnnotation(JsonProperty.class);
            if (p == null) {
                try {
                    p = rc.getAccessor().getAnnotation(JsonProperty.class);
                } catch (SecurityException e) {
                    p = null;
                }
            }
            String wireName = p != null && !p.value().isEmpty() ? p.value() : rc.getName();
            Type t = rc.getGenericType();
            boolean optional = rc.getType() == Optional.class;
            if (optional) {
                if (!(t instanceof ParameterizedType pt)) {
                    throw new IllegalArgumentException("raw Optional in " + cls.getName() + "." + rc.getName());
                }
                t = pt.getActualTypeArguments()[0];
            }
            members[i] = new Member(wireName, optional, converterFor(t));
            known.add(wireName);
        }
        Constructor<?> constructor;
        try {
            constructor = cls.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new IllegalArgumentException("no accessible canonical constructor in " + cls.getName(), e);
        }
        return (node, name) -> {
            if (!node.isObject()) {
                throw typeError(name, "object");
            }
            Object[] values = new Object[members.length];
            for (int i = 0; i < members.length; i++) {
                Member m = members[i];
                String full = memberName(name, m.wireName());
                JsonNode v = node.get(m.wireName());
                if (v == null) {
                    if (!m.optional()) {
                        throw CommandException.generic("Parameter '" + full + "' is missing");
                    }
                    values[i] = Optional.empty();
                } else {
                    Object converted = m.converter().convert(v, full);
                    values[i] = m.optional() ? Optional.of(converted) : converted;
                }
            }
            if (node.size() > countPresent(node, members)) {
                for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                    String key = it.next();
                    if (!known.contains(key)) {
                        throw CommandException.generic("Parameter '" + memberName(name, key) + "' is unexpected");
                    }
                }
            }
            try {
                return constructor.newInstance(values);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
                    // A compact constructor that validates: its message is the error text.
                    throw CommandException.generic(iae.getMessage());
                }
                throw new IllegalStateException("constructor of " + cls.getName() + " failed", cause);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + cls.getName(), e);
            }
        };
    }

    private static int countPresent(JsonNode node, Member[] members) {
        int n = 0;
        for (Member m : members) {
            if (node.has(m.wireName())) {
                n++;
            }
        }
        return n;
    }

    private static long integer(JsonNode node, String name, long min, long max, String qapiType)
            throws CommandException {
        if (!node.isIntegralNumber()) {
            throw typeError(name, "integer");
        }
        if (!node.canConvertToLong()) {
            throw CommandException.generic("Parameter '" + name + "' expects " + qapiType);
        }
        long v = node.longValue();
        if (v < min || v > max) {
            throw CommandException.generic("Parameter '" + name + "' expects " + qapiType);
        }
        return v;
    }

    private static CommandException typeError(String name, String expected) {
        return CommandException.generic("Invalid parameter type for '" + (name == null ? "null" : name)
                + "', expected: " + expected);
    }

    private static String memberName(String parent, String member) {
        return parent == null ? member : parent + "." + member;
    }

    private static String elementName(String list, int index) {
        return (list == null ? "" : list) + "[" + index + "]";
    }
}
