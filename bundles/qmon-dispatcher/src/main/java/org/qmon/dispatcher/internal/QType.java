package org.qmon.dispatcher.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.qmon.api.CommandException;

/**
 * One type of qmon's type model: what a Java type means on the wire. The same object binds a request's
 * value (neutral form: maps, lists, strings, numbers, booleans, {@code null}) with QEMU's error texts
 * and describes itself in {@code query-qmp-schema}, so what the schema says and what the dispatcher
 * accepts cannot disagree. Built by {@link TypeModel}; immutable once built.
 */
abstract sealed class QType permits QType.Builtin, QType.Obj, QType.Enumeration, QType.Array {

    /**
     * Binds a value.
     *
     * @param value the value in neutral form, {@code null} for JSON null
     * @param name QEMU's full name of the value ({@code a.b[2]}), {@code null} at the top
     * @return the Java value
     * @throws CommandException with QEMU's text when the value does not fit
     */
    abstract Object bind(Object value, String name) throws CommandException;

    static CommandException typeError(String name, String expected) {
        return CommandException.generic("Invalid parameter type for '" + (name == null ? "null" : name)
                + "', expected: " + expected);
    }

    static String memberName(String parent, String member) {
        return parent == null ? member : parent + "." + member;
    }

    /** A QAPI builtin: {@code str}, {@code int}, {@code number}, {@code bool}, {@code null}, {@code any}. */
    static final class Builtin extends QType {

        /** How a builtin binds. */
        @FunctionalInterface
        interface Binder {
            Object bind(Object value, String name) throws CommandException;
        }

        final String name;
        final String jsonType;
        private final Binder binder;

        Builtin(String name, String jsonType, Binder binder) {
            this.name = name;
            this.jsonType = jsonType;
            this.binder = binder;
        }

        @Override
        Object bind(Object value, String fullName) throws CommandException {
            return binder.bind(value, fullName);
        }

        static boolean isIntegral(Object value) {
            return value instanceof Integer || value instanceof Long || value instanceof BigInteger
                    || value instanceof Short || value instanceof Byte;
        }

        /**
         * An integer in a Java type's range. QEMU's introspection shows every sized integer as
         * {@code int}; the range is checked when binding ({@code Parameter 'x' expects int32_t}, QEMU's
         * {@code visit_type_int32}; beyond int64, {@code Invalid parameter type for 'x', expected: integer}).
         */
        static Builtin integer(long min, long max, String qapiType, java.util.function.LongFunction<Object> box) {
            return new Builtin("int", "int", (value, name) -> {
                if (!isIntegral(value)) {
                    throw typeError(name, "integer");
                }
                if (value instanceof BigInteger b && b.bitLength() > 63) {
                    // QEMU's input visitor fails to read it as an int64 before any range check.
                    throw typeError(name, "integer");
                }
                long v = ((Number) value).longValue();
                if (v < min || v > max) {
                    throw CommandException.generic("Parameter '" + name + "' expects " + qapiType);
                }
                return box.apply(v);
            });
        }
    }

    /**
     * A member of an object type.
     *
     * @param wireName its name on the wire
     * @param type its type
     * @param optional whether it may be absent
     * @param wrapped whether the Java component is an {@link Optional} (else an absent member is {@code null})
     * @param deprecated whether it is marked {@link Deprecated}
     * @param slot the index of its record component
     */
    record Member(String wireName, QType type, boolean optional, boolean wrapped, boolean deprecated, int slot) {
    }

    /**
     * An object type: a record (members in declaration order), or the empty object ({@code NoArguments},
     * {@code Void}). A record component annotated with Jackson's {@code @JsonAnySetter} and declared
     * {@code Map<String, Object>} receives the members the record does not declare (QEMU's commands with
     * open argument lists, such as {@code device_add}); without one, an undeclared member is an error.
     */
    static final class Obj extends QType {
        final Class<?> javaType;
        /**
         * Written once by the model while it builds this type (the object is published before its members
         * so that a recursive type can refer to itself), under the model's lock, before any binding.
         */
        volatile List<Member> members = List.of();
        /** Index of the rest-of-members component, or -1. */
        private int rest = -1;
        private int components;
        private Set<String> known = Set.of();
        private Constructor<?> constructor;
        private Object emptyInstance;
        final boolean deprecated;

        Obj(Class<?> javaType, boolean deprecated) {
            this.javaType = javaType;
            this.deprecated = deprecated;
        }

        /** An empty object type binds to this instance (e.g. {@code NoArguments.INSTANCE}, or {@code null} for Void). */
        void completeEmpty(Object instance) {
            this.emptyInstance = instance;
        }

        void complete(List<Member> members, int rest, int components, Constructor<?> constructor) {
            Set<String> names = new java.util.HashSet<>();
            members.forEach(m -> names.add(m.wireName()));
            this.rest = rest;
            this.components = components;
            this.known = Set.copyOf(names);
            this.constructor = constructor;
            this.members = List.copyOf(members);
        }

        /** Whether it accepts members it does not declare. */
        boolean open() {
            return rest >= 0;
        }

        /** Whether no member is required: the command can be called without arguments. */
        boolean allOptional() {
            return members.stream().allMatch(Member::optional);
        }

        @Override
        Object bind(Object value, String name) throws CommandException {
            if (!(value instanceof Map<?, ?> object)) {
                throw typeError(name, "object");
            }
            List<Member> ms = members;
            Object[] values = new Object[components];
            int present = 0;
            boolean empty = object.isEmpty(); // the usual request without arguments: no look-ups
            for (int k = 0, n = ms.size(); k < n; k++) { // indexed: no iterator per request
                Member m = ms.get(k);
                Object v = empty ? null : object.get(m.wireName());
                if (v == null && (empty || !object.containsKey(m.wireName()))) {
                    if (!m.optional()) {
                        throw CommandException.generic("Parameter '" + memberName(name, m.wireName()) + "' is missing");
                    }
                    values[m.slot()] = m.wrapped() ? Optional.empty() : null;
                } else {
                    present++;
                    Object bound = m.type().bind(v, memberName(name, m.wireName()));
                    values[m.slot()] = m.wrapped() ? Optional.ofNullable(bound) : bound;
                }
            }
            if (object.size() > present) {
                Map<String, Object> others = rest >= 0 ? new java.util.LinkedHashMap<>() : null;
                for (Map.Entry<?, ?> e : object.entrySet()) {
                    String key = (String) e.getKey();
                    if (!known.contains(key)) {
                        if (others == null) {
                            throw CommandException.generic("Parameter '" + memberName(name, key) + "' is unexpected");
                        }
                        others.put(key, e.getValue());
                    }
                }
                if (others != null) {
                    values[rest] = Collections.unmodifiableMap(others);
                }
            }
            if (rest >= 0 && values[rest] == null) {
                values[rest] = Map.of();
            }
            if (constructor == null) {
                return emptyInstance;
            }
            try {
                return constructor.newInstance(values);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
                    // A compact constructor that validates: its message is the error text.
                    throw CommandException.generic(iae.getMessage());
                }
                throw new IllegalStateException("constructor of " + javaType.getName() + " failed", cause);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + javaType.getName(), e);
            }
        }
    }

    /** An enumeration: its wire names in declaration order. */
    static final class Enumeration extends QType {
        final Class<?> javaType;
        final List<String> values;
        final Set<String> deprecated;
        private final Map<String, Object> byWireName;

        Enumeration(Class<?> javaType, List<String> values, Set<String> deprecated, Map<String, Object> byWireName) {
            this.javaType = javaType;
            this.values = List.copyOf(values);
            this.deprecated = Set.copyOf(deprecated);
            this.byWireName = Map.copyOf(byWireName);
        }

        @Override
        Object bind(Object value, String name) throws CommandException {
            if (!(value instanceof String s)) {
                throw typeError(name, "string");
            }
            Object constant = byWireName.get(s);
            if (constant == null) {
                throw CommandException.generic("Parameter '" + parameterName(name) + "' does not accept value '" + s + "'");
            }
            return constant;
        }

        /**
         * QEMU's enum error names the bare member, not its full name, and {@code null} for a list element
         * (checked against QEMU 7.2: {@code enable: ["bogus"]} gives {@code Parameter 'null' ...}).
         */
        private static String parameterName(String fullName) {
            if (fullName == null || fullName.endsWith("]")) {
                return "null";
            }
            return fullName.substring(fullName.lastIndexOf('.') + 1);
        }
    }

    /** An array of one element type. */
    static final class Array extends QType {
        final QType element;

        Array(QType element) {
            this.element = element;
        }

        @Override
        Object bind(Object value, String name) throws CommandException {
            if (!(value instanceof List<?> list)) {
                throw typeError(name, "array");
            }
            List<Object> out = new ArrayList<>(list.size());
            int i = 0;
            for (Object e : list) {
                out.add(element.bind(e, (name == null ? "" : name) + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(out);
        }
    }
}
