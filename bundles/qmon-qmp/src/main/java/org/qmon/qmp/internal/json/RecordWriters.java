package org.qmon.qmp.internal.json;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Writes plain records, the usual command results, in QMP's JSON form without Jackson: each record
 * class is read once (components through method handles, member names and enum names as bytes), and a
 * value then costs a walk over its components. The output is byte for byte what QMP's Jackson
 * configuration writes ({@code RecordWritersTest} compares the two): members in declaration order under
 * their {@link JsonProperty} names, {@code null} members left out, enums by their {@code JsonProperty}
 * value or name, strings and numbers as {@link QmpJsonWriter} writes them.
 *
 * <p>Only what is certain to match is written here: a record whose class, components or enums carry a
 * Jackson annotation other than {@link JsonProperty} (a plain name) or {@code @JsonInclude(NON_NULL)},
 * that declares other getters Jackson would add, or that has a component of any other type (maps,
 * {@code Object}, {@code Optional}, beans, arrays) has no writer here, and Jackson writes it.
 *
 * <p>Thread-safe: writers are immutable and cached per class.
 */
public final class RecordWriters {

    /** Writes one value {@code depth} objects and arrays deep. */
    @FunctionalInterface
    interface ValueWriter {
        void write(Object value, ByteSink out, int depth) throws Throwable;
    }

    /**
     * Nesting past which a value is handed back to Jackson, which applies the writer's real depth limit
     * and reports it as Jackson does: a deep record chain then costs no stack here.
     */
    public static final int MAX_DEPTH = 256;

    /** Thrown (without a stack trace) when a value nests deeper than {@link #MAX_DEPTH}. */
    private static final class TooDeep extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final TooDeep INSTANCE = new TooDeep();

        private TooDeep() {
            super("nested deeper than " + MAX_DEPTH, null, false, false);
        }
    }

    private static final ValueWriter UNSUPPORTED = (v, out, depth) -> {
        throw new IllegalStateException("unsupported");
    };

    private static final ClassValue<ValueWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ValueWriter computeValue(Class<?> type) {
            try {
                ValueWriter w = build(type, new HashSet<>());
                return w != null ? w : UNSUPPORTED;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return UNSUPPORTED;
            }
        }
    };

    /** The last class written and its writer (a client repeats its commands). */
    private record Last(Class<?> type, ValueWriter writer) {
    }

    /**
     * See {@link Last}: read and written by every writing thread without a lock. It is immutable, so a
     * reader sees a whole pair; a race between threads only costs a {@link ClassValue} look-up. It
     * holds a class strongly only until the next result of another class replaces it.
     */
    private static Last last;

    private RecordWriters() {
    }

    /**
     * Writes a value if it is a record (or a list of records) this class handles.
     *
     * @param value the result, not {@code null}
     * @param out where to append
     * @return {@code false} when Jackson must write it (then nothing was appended)
     * @throws Exception when a component accessor throws (then {@code out} holds part of the value)
     */
    public static boolean write(Object value, ByteSink out) throws Exception {
        ValueWriter w;
        if (value instanceof List<?> list) {
            for (Object e : list) {
                if (e != null && WRITERS.get(e.getClass()) == UNSUPPORTED) {
                    return false;
                }
            }
            w = RecordWriters::list;
        } else {
            Class<?> type = value.getClass();
            Last l = last;
            if (l != null && l.type == type) {
                w = l.writer; // the same result type as the reply before: the common case
            } else {
                w = WRITERS.get(type);
                last = new Last(type, w);
            }
            if (w == UNSUPPORTED) {
                return false;
            }
        }
        int mark = out.len;
        try {
            w.write(value, out, 1);
        } catch (TooDeep e) {
            out.len = mark;
            return false;
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return true;
    }

    /** A list whose elements each have a writer (checked by the caller). */
    private static void list(Object value, ByteSink out, int depth) throws Throwable {
        sequence((List<?>) value, out, depth, null);
    }

    /**
     * {@code [a, b]}: the elements through {@code element}, or each through its class's writer when it
     * is {@code null}; a {@code null} element as {@code null}.
     */
    private static void sequence(Iterable<?> items, ByteSink out, int depth, ValueWriter element) throws Throwable {
        if (depth > MAX_DEPTH) {
            throw TooDeep.INSTANCE;
        }
        out.write('[');
        boolean first = true;
        for (Object e : items) {
            if (!first) {
                out.write(',');
                out.write(' ');
            }
            first = false;
            if (e == null) {
                out.ascii("null");
            } else {
                (element != null ? element : WRITERS.get(e.getClass())).write(e, out, depth + 1);
            }
        }
        out.write(']');
    }

    /** Is the annotation one Jackson reads? */
    private static boolean jackson(Annotation a) {
        return a.annotationType().getName().startsWith("com.fasterxml.jackson.");
    }

    /** Only a plain name and NON_NULL inclusion, which QMP's mapper applies anyway. */
    private static boolean harmless(Annotation a) {
        if (a instanceof JsonProperty p) {
            return p.access() == JsonProperty.Access.AUTO && p.defaultValue().isEmpty();
        }
        if (a instanceof JsonInclude i) {
            // content inclusion only concerns maps and references, which have no writer here
            return i.value() == JsonInclude.Include.NON_NULL || i.value() == JsonInclude.Include.USE_DEFAULTS;
        }
        return !jackson(a);
    }

    private static boolean onlyHarmless(Annotation[] annotations) {
        for (Annotation a : annotations) {
            if (!harmless(a)) {
                return false;
            }
        }
        return true;
    }

    /** The writer of a record class, or {@code null} when Jackson must write it. */
    private static ValueWriter build(Class<?> type, Set<Class<?>> building) throws ReflectiveOperationException {
        if (!type.isRecord() || !Modifier.isPublic(type.getModifiers()) && type.getEnclosingClass() == null
                || !onlyHarmless(type.getAnnotations())) {
            return null;
        }
        RecordComponent[] components = type.getRecordComponents();
        Set<String> accessors = new HashSet<>();
        for (RecordComponent rc : components) {
            accessors.add(rc.getName());
        }
        // Jackson adds any other public getter (getX(), isX()) of the record as a property.
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class
                    || m.getDeclaringClass() == Record.class || accessors.contains(m.getName())) {
                continue;
            }
            String n = m.getName();
            if ((n.startsWith("get") && n.length() > 3) || (n.startsWith("is") && n.length() > 2)
                    || !onlyHarmless(m.getAnnotations())) {
                return null;
            }
        }
        building.add(type);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        List<byte[]> names = new ArrayList<>();
        List<MethodHandle> getters = new ArrayList<>();
        List<ValueWriter> writers = new ArrayList<>();
        for (RecordComponent rc : components) {
            Method accessor = rc.getAccessor();
            Field field = type.getDeclaredField(rc.getName());
            if (!onlyHarmless(rc.getAnnotations()) || !onlyHarmless(accessor.getAnnotations())
                    || !onlyHarmless(field.getAnnotations())) {
                return null;
            }
            JsonProperty p = annotation(rc, accessor, field, JsonProperty.class);
            String name = p != null && !p.value().isEmpty() ? p.value() : rc.getName();
            ValueWriter w = writerFor(rc.getGenericType(), building);
            if (w == null) {
                return null;
            }
            accessor.setAccessible(true);
            MethodHandle h = lookup.unreflect(accessor).asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class));
            ByteSink nameBytes = new ByteSink();
            QmpJsonWriter.writeString(name, nameBytes);
            nameBytes.ascii(": ");
            names.add(nameBytes.toByteArray());
            getters.add(h);
            writers.add(w);
        }
        building.remove(type);
        byte[][] n = names.toArray(new byte[0][]);
        MethodHandle[] g = getters.toArray(new MethodHandle[0]);
        ValueWriter[] w = writers.toArray(new ValueWriter[0]);
        return (value, out, depth) -> {
            if (depth > MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            out.write('{');
            boolean first = true;
            for (int i = 0; i < g.length; i++) {
                Object v = g[i].invokeExact(value);
                if (v == null) {
                    continue; // QMP's mapper leaves null members out
                }
                if (!first) {
                    out.write(',');
                    out.write(' ');
                }
                first = false;
                out.write(n[i]);
                w[i].write(v, out, depth + 1);
            }
            out.write('}');
        };
    }

    private static <A extends Annotation> A annotation(RecordComponent rc, Method accessor, Field field, Class<A> type) {
        A a = rc.getAnnotation(type);
        if (a == null) {
            a = accessor.getAnnotation(type);
        }
        if (a == null) {
            a = field.getAnnotation(type);
        }
        return a;
    }

    /** The writer of a component's type, or {@code null} when it is not one this class handles. */
    private static ValueWriter writerFor(Type t, Set<Class<?>> building) throws ReflectiveOperationException {
        if (t instanceof Class<?> c) {
            if (c == boolean.class || c == Boolean.class) {
                return (v, out, d) -> out.ascii((Boolean) v ? "true" : "false");
            }
            if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                    || c == Short.class || c == byte.class || c == Byte.class) {
                return (v, out, d) -> out.decimal(((Number) v).longValue());
            }
            if (c == BigInteger.class) {
                return (v, out, d) -> out.ascii(v.toString());
            }
            if (c == double.class || c == Double.class) {
                return (v, out, d) -> out.ascii(QemuDoubleFormat.format((Double) v));
            }
            if (c == float.class || c == Float.class) {
                return (v, out, d) -> out.ascii(QemuDoubleFormat.format((Float) v));
            }
            if (c == String.class) {
                return (v, out, d) -> QmpJsonWriter.writeString((String) v, out);
            }
            if (c.isEnum()) {
                return enumWriter(c);
            }
            if (c.isRecord()) {
                if (building.contains(c)) {
                    return (v, out, d) -> WRITERS.get(c).write(v, out, d); // recursive: resolved when written
                }
                return build(c, building);
            }
            return null;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && Collection.class.isAssignableFrom(raw) && !java.util.Map.class.isAssignableFrom(raw)) {
            ValueWriter element = writerFor(p.getActualTypeArguments()[0], building);
            if (element == null) {
                return null;
            }
            return (v, out, depth) -> sequence((Collection<?>) v, out, depth, element);
        }
        return null;
    }

    /** Enum constants by their wire names ({@code JsonProperty}, else {@code name()}), as bytes. */
    private static ValueWriter enumWriter(Class<?> c) throws NoSuchFieldException {
        if (!onlyHarmless(c.getAnnotations())) {
            return null;
        }
        for (Method m : c.getDeclaredMethods()) {
            for (Annotation a : m.getAnnotations()) {
                if (jackson(a)) {
                    return null; // @JsonValue and the like
                }
            }
        }
        Object[] constants = c.getEnumConstants();
        byte[][] bytes = new byte[constants.length][];
        for (Object o : constants) {
            Enum<?> e = (Enum<?>) o;
            Field f = c.getField(e.name());
            if (!onlyHarmless(f.getAnnotations())) {
                return null;
            }
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            String wire = p != null && !p.value().isEmpty() ? p.value() : e.name();
            ByteSink s = new ByteSink();
            QmpJsonWriter.writeString(wire, s);
            bytes[e.ordinal()] = s.toByteArray();
        }
        return (v, out, d) -> out.write(bytes[((Enum<?>) v).ordinal()]);
    }

    /** For tests: whether a class is written here. */
    static boolean handles(Class<?> type) {
        return WRITERS.get(type) != UNSUPPORTED;
    }
}
