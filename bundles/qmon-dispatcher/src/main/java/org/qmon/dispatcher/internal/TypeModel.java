package org.qmon.dispatcher.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.qmon.api.CommandException;
import org.qmon.api.NoArguments;

/**
 * qmon's one type model: the Java types of command arguments, results and event data, read once into
 * {@link QType}s that both bind requests ({@link #bind}) and describe themselves in
 * {@code query-qmp-schema} ({@link SchemaBuilder}). One source of truth, like QEMU's QAPI schema.
 *
 * <p>The mapping (documented for command authors in docs/commands.md):
 * <ul>
 * <li>{@code String} → {@code str}; {@code boolean} → {@code bool}; {@code int}, {@code long},
 *     {@code short}, {@code byte}, {@code BigInteger} → {@code int} (the range of the Java type is checked
 *     when binding: {@code Parameter 'x' expects int32_t}); {@code double}, {@code float} → {@code number};
 *     {@code Object}, {@code Map<String, Object>} → {@code any};</li>
 * <li>an enum → an enum type of its wire names ({@link JsonProperty} value, else {@code name()});</li>
 * <li>{@code List<T>} (and, in results, any collection or array) → an array type;</li>
 * <li>a record → an object type, members in declaration order, wire names from {@link JsonProperty};
 *     a member is optional when its component is an {@link Optional} or is annotated
 *     {@code @JsonInclude(NON_NULL)} (or {@code NON_ABSENT}, {@code NON_EMPTY}); a
 *     {@code @JsonAnySetter Map<String, Object>} component takes the members the record does not
 *     declare; {@link JsonIgnore}d components are left out;</li>
 * <li>{@link NoArguments} and {@code Void} → the empty object type.</li>
 * </ul>
 * In results and event data, any other class is {@code any} (Jackson serialises it as it likes); in
 * arguments it is refused when the handler registers ({@link #check}).
 *
 * <p>Thread-safe: types are built under {@code this} and published through a concurrent map; a built
 * type never changes.
 */
final class TypeModel {

    static final QType.Builtin STR = new QType.Builtin("str", "string", (v, n) -> {
        if (!(v instanceof String s)) {
            throw QType.typeError(n, "string");
        }
        return s;
    });
    static final QType.Builtin BOOL = new QType.Builtin("bool", "boolean", (v, n) -> {
        if (!(v instanceof Boolean b)) {
            throw QType.typeError(n, "boolean");
        }
        return b;
    });
    static final QType.Builtin NUMBER = new QType.Builtin("number", "number", (v, n) -> {
        if (!(v instanceof Number x)) {
            throw QType.typeError(n, "number");
        }
        return x.doubleValue();
    });
    static final QType.Builtin FLOAT = new QType.Builtin("number", "number", (v, n) -> {
        if (!(v instanceof Number x)) {
            throw QType.typeError(n, "number");
        }
        return x.floatValue();
    });
    static final QType.Builtin INT32 = QType.Builtin.integer(Integer.MIN_VALUE, Integer.MAX_VALUE, "int32_t", v -> (int) v);
    static final QType.Builtin INT64 = QType.Builtin.integer(Long.MIN_VALUE, Long.MAX_VALUE, "int64", v -> v);
    static final QType.Builtin INT16 = QType.Builtin.integer(Short.MIN_VALUE, Short.MAX_VALUE, "int16_t", v -> (short) v);
    static final QType.Builtin INT8 = QType.Builtin.integer(Byte.MIN_VALUE, Byte.MAX_VALUE, "int8_t", v -> (byte) v);
    static final QType.Builtin BIG = new QType.Builtin("int", "int", (v, n) -> {
        if (!QType.Builtin.isIntegral(v)) {
            throw QType.typeError(n, "integer");
        }
        return v instanceof BigInteger b ? b : BigInteger.valueOf(((Number) v).longValue());
    });
    /** Any JSON value, as it came. */
    static final QType.Builtin ANY = new QType.Builtin("any", "value", (v, n) -> v);
    /** Any JSON object, as it came ({@code Map<String, Object>}). */
    static final QType.Builtin ANY_OBJECT = new QType.Builtin("any", "value", (v, n) -> {
        if (!(v instanceof Map<?, ?> m)) {
            throw QType.typeError(n, "object");
        }
        return java.util.Collections.unmodifiableMap(m);
    });
    /** A result type the model does not describe: {@code any} in the schema, never bound (refused as an argument). */
    private static QType.Builtin opaque() {
        return new QType.Builtin("any", "value", (v, n) -> {
            throw new IllegalStateException("not an argument type");
        });
    }

    private final Map<Type, QType> types = new ConcurrentHashMap<>();
    /** Why a type cannot be an argument type, by Java type; written with {@link #types}, under {@code this}. */
    private final Map<QType, String> refusals = new ConcurrentHashMap<>();

    /**
     * The type of a Java type, built on first use.
     *
     * @param type a Java type
     * @return its model type
     */
    QType of(Type type) {
        QType t = types.get(type);
        return t != null ? t : build(type);
    }

    /**
     * Checks that a type can be an argument type, so that an unusable handler is refused when it
     * registers rather than when it is first called.
     *
     * @param type the argument type
     * @throws IllegalArgumentException naming what cannot be bound
     */
    void check(Type type) {
        QType t = of(type);
        if (!(t instanceof QType.Obj) && t != ANY_OBJECT) {
            throw new IllegalArgumentException("argument type " + type.getTypeName()
                    + " is not a record (use a record, NoArguments or Map<String, Object>)");
        }
        String why = refusal(t, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    private String refusal(QType t, Set<QType> seen) {
        if (!seen.add(t)) {
            return null;
        }
        String why = refusals.get(t);
        if (why != null) {
            return why;
        }
        if (t instanceof QType.Obj o) {
            for (QType.Member m : o.members) {
                why = refusal(m.type(), seen);
                if (why != null) {
                    return why;
                }
            }
        } else if (t instanceof QType.Array a) {
            return refusal(a.element, seen);
        }
        return null;
    }

    /**
     * Binds a request's arguments.
     *
     * @param type the argument type (checked with {@link #check})
     * @param arguments the arguments object in neutral form, or {@code null} when the request had none
     * @return the bound value
     * @throws CommandException with QEMU's text when the arguments do not fit
     */
    Object bind(Type type, Map<String, ?> arguments) throws CommandException {
        return of(type).bind(arguments != null ? arguments : Map.of(), null);
    }

    private synchronized QType build(Type type) {
        QType t = types.get(type);
        if (t != null) {
            return t; // built by another thread, or earlier in this recursion
        }
        if (type instanceof Class<?> cls) {
            return buildClass(cls);
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (Collection.class.isAssignableFrom(raw)) {
                QType.Array a = new QType.Array(of(p.getActualTypeArguments()[0]));
                if (raw != List.class) {
                    refusals.put(a, "unsupported argument type " + type.getTypeName() + " (use List)");
                }
                return publish(type, a);
            }
            if (Map.class.isAssignableFrom(raw)) {
                Type[] args = p.getActualTypeArguments();
                if (raw == Map.class && args[0] == String.class && args[1] == Object.class) {
                    return publish(type, ANY_OBJECT);
                }
                return publish(type, refuse(type, opaque()));
            }
            if (raw == Optional.class) {
                return of(p.getActualTypeArguments()[0]);
            }
            return publish(type, refuse(type, opaque()));
        }
        if (type instanceof GenericArrayType g) {
            return publish(type, refuse(type, new QType.Array(of(g.getGenericComponentType()))));
        }
        if (type instanceof WildcardType w) {
            return of(w.getUpperBounds()[0]);
        }
        return publish(type, refuse(type, opaque()));
    }

    private QType refuse(Type type, QType t) {
        refusals.put(t, "unsupported argument type " + type.getTypeName()
                + " (use String, boolean, int, long, double, an enum, List, a record, Optional, Map<String, Object> or Object)");
        return t;
    }

    private QType publish(Type type, QType t) {
        types.put(type, t);
        return t;
    }

    private QType buildClass(Class<?> cls) {
        if (cls == String.class) {
            return publish(cls, STR);
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return publish(cls, BOOL);
        }
        if (cls == int.class || cls == Integer.class) {
            return publish(cls, INT32);
        }
        if (cls == long.class || cls == Long.class) {
            return publish(cls, INT64);
        }
        if (cls == short.class || cls == Short.class) {
            return publish(cls, INT16);
        }
        if (cls == byte.class || cls == Byte.class) {
            return publish(cls, INT8);
        }
        if (cls == BigInteger.class) {
            return publish(cls, BIG);
        }
        if (cls == double.class || cls == Double.class) {
            return publish(cls, NUMBER);
        }
        if (cls == float.class || cls == Float.class) {
            return publish(cls, FLOAT);
        }
        if (cls == Object.class) {
            return publish(cls, ANY);
        }
        if (cls == NoArguments.class || cls == Void.class || cls == void.class) {
            QType.Obj empty = new QType.Obj(cls, false);
            empty.completeEmpty(cls == NoArguments.class ? NoArguments.INSTANCE : null);
            return publish(cls, empty);
        }
        if (cls.isEnum()) {
            return publish(cls, enumeration(cls));
        }
        if (cls.isRecord()) {
            return record(cls);
        }
        if (cls.isArray()) {
            return publish(cls, refuse(cls, new QType.Array(of(cls.getComponentType()))));
        }
        if (Map.class.isAssignableFrom(cls) || Collection.class.isAssignableFrom(cls)) {
            return publish(cls, refuse(cls, opaque()));
        }
        return publish(cls, refuse(cls, opaque()));
    }

    private static QType.Enumeration enumeration(Class<?> cls) {
        List<String> values = new ArrayList<>();
        Set<String> deprecated = new HashSet<>();
        Map<String, Object> byWireName = new HashMap<>();
        for (Object constant : cls.getEnumConstants()) {
            Enum<?> e = (Enum<?>) constant;
            String wire = enumWireName(cls, e);
            values.add(wire);
            byWireName.put(wire, e);
            try {
                if (cls.getField(e.name()).isAnnotationPresent(Deprecated.class)) {
                    deprecated.add(wire);
                }
            } catch (NoSuchFieldException x) {
                // An enum constant is always a public field.
            }
        }
        return new QType.Enumeration(cls, values, deprecated, byWireName);
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

    private QType record(Class<?> cls) {
        QType.Obj obj = new QType.Obj(cls, cls.isAnnotationPresent(Deprecated.class));
        publish(cls, obj); // before the members: a member may refer to this record
        RecordComponent[] components = cls.getRecordComponents();
        List<QType.Member> members = new ArrayList<>();
        Class<?>[] parameterTypes = new Class<?>[components.length];
        int rest = -1;
        for (int i = 0; i < components.length; i++) {
            RecordComponent rc = components[i];
            parameterTypes[i] = rc.getType();
            if (annotation(rc, JsonAnySetter.class) != null) {
                Type g = rc.getGenericType();
                if (!(g instanceof ParameterizedType p && p.getRawType() == Map.class
                        && p.getActualTypeArguments()[0] == String.class && p.getActualTypeArguments()[1] == Object.class)) {
                    refusals.put(obj, "@JsonAnySetter component " + cls.getName() + "." + rc.getName()
                            + " must be a Map<String, Object>");
                }
                rest = i;
                continue;
            }
            if (annotation(rc, JsonIgnore.class) != null) {
                refusals.put(obj, "@JsonIgnore component " + cls.getName() + "." + rc.getName() + " cannot be bound");
                continue;
            }
            JsonProperty p = annotation(rc, JsonProperty.class);
            String wireName = p != null && !p.value().isEmpty() ? p.value() : rc.getName();
            Type t = rc.getGenericType();
            boolean wrapped = rc.getType() == Optional.class;
            if (wrapped) {
                if (!(t instanceof ParameterizedType pt)) {
                    refusals.put(obj, "raw Optional in " + cls.getName() + "." + rc.getName());
                    t = Object.class;
                } else {
                    t = pt.getActualTypeArguments()[0];
                }
            }
            JsonInclude inc = annotation(rc, JsonInclude.class);
            boolean optional = wrapped || (inc != null && (inc.value() == JsonInclude.Include.NON_NULL
                    || inc.value() == JsonInclude.Include.NON_ABSENT || inc.value() == JsonInclude.Include.NON_EMPTY));
            members.add(new QType.Member(wireName, of(t), optional, wrapped, annotation(rc, Deprecated.class) != null, i));
        }
        Constructor<?> constructor = null;
        try {
            constructor = cls.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
        } catch (NoSuchMethodException | RuntimeException e) {
            refusals.put(obj, "no accessible canonical constructor in " + cls.getName());
        }
        obj.complete(members, rest, components.length, constructor);
        return obj;
    }

    /** An annotation on a record component, its field or its accessor (Jackson looks at all three). */
    private static <A extends java.lang.annotation.Annotation> A annotation(RecordComponent rc, Class<A> type) {
        A a = rc.getAnnotation(type);
        if (a != null) {
            return a;
        }
        try {
            a = rc.getAccessor().getAnnotation(type);
            if (a != null) {
                return a;
            }
            return rc.getDeclaringRecord().getDeclaredField(rc.getName()).getAnnotation(type);
        } catch (NoSuchFieldException | SecurityException e) {
            return null;
        }
    }

    /** For tests: the Java types built so far. */
    int size() {
        return types.size();
    }
}
