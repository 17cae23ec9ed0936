package org.qmon.dispatcher.internal;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The type arguments a class gives a generic interface it implements, directly or through its
 * superclasses and superinterfaces, with type variables bound along the way: {@code Command<A, R>}'s
 * {@code A} and {@code R} for a handler class.
 *
 * <p>Plain reflection, in the normal form Jackson's {@code TypeFactory} gave the dispatcher before
 * (TypeArgumentsTest holds the two to the same answers): a class for a type without arguments, a
 * {@link ParameterizedType} with its arguments in normal form otherwise; a wildcard or a type variable
 * left unbound becomes its upper bound, a generic array the array class of its erasure. Building
 * Jackson's type factory loaded about 40 of its classes on the way to the first listening socket.
 */
final class TypeArguments {

    private TypeArguments() {
    }

    /**
     * The type arguments {@code type} gives {@code iface}.
     *
     * @param type a concrete class
     * @param iface a generic interface
     * @return the arguments in normal form, or {@code null} if {@code type} does not implement
     *         {@code iface} or implements it raw (as a lambda's class does)
     */
    static Type[] of(Class<?> type, Class<?> iface) {
        return find(type, iface, Map.of());
    }

    private static Type[] find(Type t, Class<?> iface, Map<TypeVariable<?>, Type> outer) {
        Class<?> raw;
        Map<TypeVariable<?>, Type> bindings;
        if (t instanceof Class<?> c) {
            if (c == iface) {
                return null; // implemented raw
            }
            raw = c;
            bindings = Map.of();
        } else if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            raw = c;
            TypeVariable<?>[] vars = c.getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            bindings = new HashMap<>();
            for (int i = 0; i < vars.length && i < args.length; i++) {
                bindings.put(vars[i], resolve(args[i], outer, Set.of()));
            }
            if (c == iface) {
                Type[] out = new Type[vars.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = bindings.getOrDefault(vars[i], Object.class);
                }
                return out;
            }
        } else {
            return null;
        }
        if (!iface.isAssignableFrom(raw)) {
            return null;
        }
        for (Type s : raw.getGenericInterfaces()) {
            Type[] found = find(s, iface, bindings);
            if (found != null) {
                return found;
            }
        }
        Type s = raw.getGenericSuperclass();
        return s == null ? null : find(s, iface, bindings);
    }

    /**
     * {@code t} in normal form (classes and {@link Parameterized} types of them, nothing else), with
     * the type variables of {@code bindings} replaced by what they are bound to (already in normal
     * form) and any other variable by its upper bound.
     *
     * @param seen the variables being replaced by their bounds further up: a variable met again (as
     *        {@code T} in {@code T extends Comparable<T>}) becomes its bound's class
     */
    private static Type resolve(Type t, Map<TypeVariable<?>, Type> bindings, Set<TypeVariable<?>> seen) {
        if (t instanceof Class<?>) {
            return t;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            Type[] n = new Type[args.length];
            for (int i = 0; i < args.length; i++) {
                n[i] = resolve(args[i], bindings, seen);
            }
            return new Parameterized(raw, n);
        }
        if (t instanceof WildcardType w) {
            return resolve(w.getUpperBounds()[0], bindings, seen);
        }
        if (t instanceof TypeVariable<?> v) {
            if (bindings.containsKey(v)) {
                return bindings.get(v);
            }
            Type bound = v.getBounds()[0];
            if (seen.contains(v)) {
                return bound instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw ? raw
                        : bound instanceof Class<?> c ? c : Object.class;
            }
            Set<TypeVariable<?>> deeper = new HashSet<>(seen);
            deeper.add(v);
            return resolve(bound, bindings, deeper);
        }
        if (t instanceof GenericArrayType a) {
            return Array.newInstance(erasure(resolve(a.getGenericComponentType(), bindings, seen)), 0).getClass();
        }
        return Object.class;
    }

    /** The class of a type in normal form. */
    private static Class<?> erasure(Type normal) {
        return normal instanceof Parameterized p ? p.raw : (Class<?>) normal;
    }

    /** A parameterized type of a top-level view: no owner, arguments in normal form, value equality. */
    static final class Parameterized implements ParameterizedType {
        private final Class<?> raw;
        private final Type[] args;

        Parameterized(Class<?> raw, Type[] args) {
            this.raw = raw;
            this.args = args;
        }

        @Override
        public Type[] getActualTypeArguments() {
            return args.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public Type getOwnerType() {
            return null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ParameterizedType p && p.getRawType() == raw
                    && Arrays.equals(args, p.getActualTypeArguments()) && p.getOwnerType() == null;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(args) ^ raw.hashCode();
        }

        /** As Jackson's canonical form, which messages quoted before: {@code java.util.Map<java.lang.String,java.lang.Integer>}. */
        @Override
        public String getTypeName() {
            StringBuilder b = new StringBuilder(raw.getName()).append('<');
            for (int i = 0; i < args.length; i++) {
                b.append(i == 0 ? "" : ",").append(args[i] instanceof Class<?> c ? c.getName() : args[i].getTypeName());
            }
            return b.append('>').toString();
        }

        @Override
        public String toString() {
            return getTypeName();
        }
    }
}
