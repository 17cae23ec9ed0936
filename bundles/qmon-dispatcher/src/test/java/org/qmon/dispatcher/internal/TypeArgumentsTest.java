package org.qmon.dispatcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;

import org.junit.jupiter.api.Test;
import org.qmon.api.AsyncCommand;
import org.qmon.api.Command;
import org.qmon.api.CommandContext;
import org.qmon.api.Completion;
import org.qmon.api.NoArguments;

/**
 * A handler's argument and result types, found by plain reflection, are the ones Jackson's type
 * factory found before (the reference here), in the same normal form, type names included.
 */
class TypeArgumentsTest {

    record Args(String s) {
    }

    static final class Direct implements Command<Args, List<Map<String, Integer>>> {
        @Override
        public List<Map<String, Integer>> execute(Args a, CommandContext c) {
            return List.of();
        }
    }

    abstract static class Base<T, R> implements Command<T, R> {
        @Override
        public R execute(T a, CommandContext c) {
            return null;
        }
    }

    abstract static class Middle<X> extends Base<X, Optional<X>> {
    }

    static final class ThroughSuperclasses extends Middle<Args> {
    }

    interface ListCommand<E> extends AsyncCommand<NoArguments, List<E>> {
    }

    static final class ThroughAnInterface implements ListCommand<Args> {
        @Override
        public void execute(NoArguments a, Completion<List<Args>> done, CommandContext c) {
        }
    }

    static final class Wildcards implements Command<Args, List<? extends Number>> {
        @Override
        public List<? extends Number> execute(Args a, CommandContext c) {
            return List.of();
        }
    }

    static final class Arrays<E> implements Command<Args, List<E[]>> {
        @Override
        public List<E[]> execute(Args a, CommandContext c) {
            return List.of();
        }
    }

    static final class Unbound<A> extends Base<A, String> {
    }

    static final class Recursive<T extends Comparable<T>> extends Base<T, List<T>> {
    }

    @SuppressWarnings("rawtypes")
    static final class Raw implements Command {
        @Override
        public Object execute(Object a, CommandContext c) {
            return null;
        }
    }

    /** As CommandInfo used Jackson before: the found parameters in its normal form, or null. */
    private static Type[] jackson(Class<?> type, Class<?> iface) {
        JavaType[] params = TypeFactory.defaultInstance().constructType(type).findTypeParameters(iface);
        if (params.length != 2 || params[0].getRawClass() == Object.class) {
            return null;
        }
        return new Type[] {jacksonType(params[0]), jacksonType(params[1])};
    }

    private static Type jacksonType(JavaType t) {
        if (t.containedTypeCount() == 0) {
            return t.getRawClass();
        }
        Type[] args = new Type[t.containedTypeCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = jacksonType(t.containedType(i));
        }
        return new TypeArguments.Parameterized(t.getRawClass(), args);
    }

    private static Type[] ours(Class<?> type, Class<?> iface) {
        Type[] t = TypeArguments.of(type, iface);
        return t == null || t[0] == Object.class ? null : t;
    }

    private static void sameAsJackson(Class<?> type, Class<?> iface) {
        Type[] expected = jackson(type, iface);
        Type[] actual = ours(type, iface);
        if (expected == null) {
            assertNull(actual, type.getSimpleName());
            return;
        }
        assertEquals(List.of(expected), List.of(actual), type.getSimpleName());
        for (int i = 0; i < 2; i++) {
            assertEquals(expected[i].getTypeName(), actual[i].getTypeName());
            assertEquals(expected[i].getClass(), actual[i].getClass(), "a class or a Parameterized, as before");
        }
        String canonical = TypeFactory.defaultInstance().constructType(actual[1]).toCanonical();
        assertEquals(canonical, actual[1].getTypeName(), "type names read as Jackson's canonical ones");
    }

    @Test
    void everyShapeOfHandlerGetsJacksonsAnswer() {
        sameAsJackson(Direct.class, Command.class);
        sameAsJackson(ThroughSuperclasses.class, Command.class);
        sameAsJackson(ThroughAnInterface.class, AsyncCommand.class);
        sameAsJackson(Wildcards.class, Command.class);
        sameAsJackson(Arrays.class, Command.class);
        sameAsJackson(Unbound.class, Command.class);
        sameAsJackson(Raw.class, Command.class);
    }

    @Test
    void theAnswersAreWhatTheHandlersSay() {
        Type[] direct = TypeArguments.of(Direct.class, Command.class);
        assertEquals(Args.class, direct[0]);
        assertEquals("java.util.List<java.util.Map<java.lang.String,java.lang.Integer>>", direct[1].getTypeName());
        Type[] inherited = TypeArguments.of(ThroughSuperclasses.class, Command.class);
        assertEquals(Args.class, inherited[0]);
        ParameterizedType optional = (ParameterizedType) inherited[1];
        assertEquals(Optional.class, optional.getRawType());
        assertEquals(List.of(Args.class), List.of(optional.getActualTypeArguments()));
        assertEquals(Object.class, TypeArguments.of(Unbound.class, Command.class)[0], "an unbound variable is its bound");
        assertNull(TypeArguments.of(Raw.class, Command.class), "implemented raw, as a lambda's class");
        Type[] recursive = TypeArguments.of(Recursive.class, Command.class);
        assertEquals("java.lang.Comparable<java.lang.Comparable>", recursive[0].getTypeName(),
                "a variable bounded by itself ends at its bound's class, not in a stack overflow");
        assertEquals("java.util.List<java.lang.Comparable<java.lang.Comparable>>", recursive[1].getTypeName());
        Runnable lambda = () -> { };
        assertNull(TypeArguments.of(lambda.getClass(), Command.class), "a class that is no command at all");
        Command<Args, String> c = (a, ctx) -> "x";
        assertNull(TypeArguments.of(c.getClass(), Command.class), "a lambda's types are erased");
    }
}
