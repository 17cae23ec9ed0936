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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.qmon.api.CommandException;

/**
 * Binds a request's {@code arguments} object, in the neutral form frontends submit (maps, lists,
 * strings, booleans, numbers, {@code null}), to a handler's argument record, strictly and before the
 * handler runs, with the texts of QEMU's QObject input visitor ({@code qapi/qobject-input-visitor.c}):
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
 * else their {@code name()}, which is how Jackson writes them in results. A component (or the whole
 * argument type) declared {@code Map<String, Object>} takes a JSON object as it is; one declared
 * {@code Object} takes any JSON value (QEMU's {@code any}).
 *
 * <p>Thread-safe: the per-type plans are immutable and cached in a concurrent map.
 */
final class ArgumentBinder {

    /** Converts one JSON value (neutral form) at a given full name into a Java value. */
    @FunctionalInterface
    private interface Converter {
        Object convert(Object value, String fullName) throws CommandException;
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
     * @param type the argument record type (or {@code Map<String, Object>} for the object as it is)
     * @param arguments the arguments object, or {@code null} when the request had none
     * @return the bound value
     * @throws CommandException with QEMU's text when the arguments do not fit
     */
    Object bind(Type type, Map<String, ?> arguments) throws CommandException {
        return converterFor(type).convert(arguments != null ? arguments : Map.of(), null);
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
            return (value, name) -> {
                if (!(value instanceof List<?> list)) {
                    throw typeError(name, "array");
                }
                List<Object> out = new ArrayList<>(list.size());
                int i = 0;
                for (Object e : list) {
                    out.add(element.convert(e, elementName(name, i++)));
                }
                return Collections.unmodifiableList(out);
            };
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Map.class
                && p.getActualTypeArguments()[0] == String.class && p.getActualTypeArguments()[1] == Object.class) {
            return ArgumentBinder::object;
        }
        throw new IllegalArgumentException("unsupported argument type " + type.getTypeName());
    }

    private static Object object(Object value, String name) throws CommandException {
        if (!(value instanceof Map<?, ?> map)) {
            throw typeError(name, "object");
        }
        return Collections.unmodifiableMap(map);
    }

    private Converter buildForClass(Class<?> cls) {
        if (cls == String.class) {
            return (value, name) -> {
                if (!(value instanceof String s)) {
                    throw typeError(name, "string");
                }
                return s;
            };
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return (value, name) -> {
                if (!(value instanceof Boolean b)) {
                    throw typeError(name, "boolean");
                }
                return b;
            };
        }
        if (cls == int.class || cls == Integer.class) {
            return (value, name) -> (int) integer(value, name, Integer.MIN_VALUE, Integer.MAX_VALUE, "int32");
        }
        if (cls == long.class || cls == Long.class) {
            return (value, name) -> integer(value, name, Long.MIN_VALUE, Long.MAX_VALUE, "int64");
        }
        if (cls == short.class || cls == Short.class) {
            return (value, name) -> (short) integer(value, name, Short.MIN_VALUE, Short.MAX_VALUE, "int16");
        }
        if (cls == byte.class || cls == Byte.class) {
            return (value, name) -> (byte) integer(value, name, Byte.MIN_VALUE, Byte.MAX_VALUE, "int8");
        }
        if (cls == double.class || cls == Double.class) {
            return (value, name) -> {
                if (!(value instanceof Number n)) {
                    throw typeError(name, "number");
                }
                return n.doubleValue();
            };
        }
        if (cls == BigInteger.class) {
            return (value, name) -> {
                if (!isIntegral(value)) {
                    throw typeError(name, "integer");
                }
                return value instanceof BigInteger b ? b : BigInteger.valueOf(((Number) value).longValue());
            };
        }
        if (cls == Object.class) {
            return (value, name) -> value;
        }
        if (cls.isEnum()) {
            return enumConverter(cls);
        }
        if (cls.isRecord()) {
            return recordConverter(cls);
        }
        throw new IllegalArgumentException("unsupported argument type " + cls.getName()
                + " (use String, boolean, int, long, double, an enum, List, a record, Optional, Map<String, Object> or Object)");
    }

    private static Converter enumConverter(Class<?> cls) {
        Map<String, Object> byWireName = new HashMap<>();
        for (Object constant : cls.getEnumConstants()) {
            Enum<?> e = (Enum<?>) constant;
            byWireName.put(enumWireName(cls, e), e);
        }
        return (value, name) -> {
            if (!(value instanceof String s)) {
                throw typeError(name, "string");
            }
            Object constant = byWireName.get(s);
            if (constant == null) {
                throw CommandException.generic("Parameter '" + enumParameterName(name)
                        + "' does not accept value '" + s + "'");
            }
            return constant;
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
        return (value, name) -> {
            if (!(value instanceof Map<?, ?> object)) {
                throw typeError(name, "object");
            }
            Object[] values = new Object[members.length];
            int present = 0;
            for (int i = 0; i < members.length; i++) {
                Member m = members[i];
                Object v = object.get(m.wireName());
                if (v == null && !object.containsKey(m.wireName())) {
                    if (!m.optional()) {
                        throw CommandException.generic("Parameter '" + memberName(name, m.wireName()) + "' is missing");
                    }
                    values[i] = Optional.empty();
                } else {
                    present++;
                    Object converted = m.converter().convert(v, memberName(name, m.wireName()));
                    values[i] = m.optional() ? Optional.ofNullable(converted) : converted;
                }
            }
            if (object.size() > present) {
                for (Object key : object.keySet()) {
                    if (!known.contains(key)) {
                        throw CommandException.generic("Parameter '" + memberName(name, (String) key) + "' is unexpected");
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

    private static boolean isIntegral(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte;
    }

    private static long integer(Object value, String name, long min, long max, String qapiType)
            throws CommandException {
        if (!isIntegral(value)) {
            throw typeError(name, "integer");
        }
        if (value instanceof BigInteger b && b.bitLength() > 63) {
            throw CommandException.generic("Parameter '" + name + "' expects " + qapiType);
        }
        long v = ((Number) value).longValue();
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
