package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SmallMap} against {@link LinkedHashMap}: the same answers, order and equality under any operations. */
class SmallMapTest {

    private static void same(LinkedHashMap<String, Integer> expected, SmallMap<Integer> actual) {
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.isEmpty(), actual.isEmpty());
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(actual.entrySet()), "entries in order");
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        assertEquals(List.copyOf(expected.values()), List.copyOf(actual.values()));
        assertEquals(expected, actual);
        assertEquals(actual, expected);
        assertEquals(expected.hashCode(), actual.hashCode());
        assertEquals(expected.toString(), actual.toString());
    }

    @Test
    void randomOperationsAgreeWithLinkedHashMapAcrossTheSmallLimit() {
        Random rnd = new Random(13);
        for (int run = 0; run < 2_000; run++) {
            LinkedHashMap<String, Integer> expected = new LinkedHashMap<>();
            SmallMap<Integer> actual = new SmallMap<>();
            int keys = 1 + rnd.nextInt(2 * SmallMap.SMALL + 4);
            for (int op = 0; op < 40; op++) {
                // new String each time: look-ups must not depend on identity
                String k = new String("k" + rnd.nextInt(keys));
                switch (rnd.nextInt(7)) {
                    case 0, 1, 2 -> assertEquals(expected.put(k, op), actual.put(k, op));
                    case 3 -> assertEquals(expected.remove(k), actual.remove(k));
                    case 4 -> {
                        assertEquals(expected.get(k), actual.get(k));
                        assertEquals(expected.containsKey(k), actual.containsKey(k));
                    }
                    case 5 -> { // change a value and remove a member through the entry set
                        Iterator<Map.Entry<String, Integer>> e = expected.entrySet().iterator();
                        Iterator<Map.Entry<String, Integer>> a = actual.entrySet().iterator();
                        int skip = expected.isEmpty() ? 0 : rnd.nextInt(expected.size());
                        for (int i = 0; i <= skip && e.hasNext(); i++) {
                            Map.Entry<String, Integer> ee = e.next();
                            Map.Entry<String, Integer> ae = a.next();
                            assertEquals(ee, ae);
                            if (i == skip) {
                                assertEquals(ee.setValue(-op), ae.setValue(-op));
                                if (rnd.nextBoolean()) {
                                    e.remove();
                                    a.remove();
                                }
                            }
                        }
                        assertEquals(e.hasNext(), a.hasNext());
                    }
                    default -> {
                        if (rnd.nextInt(10) == 0) {
                            expected.clear();
                            actual.clear();
                        }
                    }
                }
                same(expected, actual);
            }
        }
    }

    @Test
    void aReplacedMemberKeepsItsPlaceAndNullKeysAreRefused() {
        SmallMap<Integer> m = new SmallMap<>();
        m.put("a", 1);
        m.put("b", 2);
        assertEquals(1, m.put("a", 3));
        assertEquals(List.of("a", "b"), List.copyOf(m.keySet()));
        assertEquals(3, m.get("a"));
        assertThrows(NullPointerException.class, () -> m.put(null, 1));
        assertFalse(m.containsKey(null));
        assertEquals(null, m.get(null));
    }

    @Test
    void aChangeUnderAnIteratorIsNoticed() {
        SmallMap<Integer> m = new SmallMap<>();
        m.put("a", 1);
        m.put("b", 2);
        Iterator<Map.Entry<String, Integer>> it = m.entrySet().iterator();
        it.next();
        m.put("c", 3);
        assertThrows(ConcurrentModificationException.class, it::next);
    }

    @Test
    void pastTheSmallLimitItIsAHashMapAndStaysInOrder() {
        SmallMap<Integer> m = new SmallMap<>();
        LinkedHashMap<String, Integer> e = new LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            m.put("k" + i, i);
            e.put("k" + i, i);
        }
        same(e, m);
        assertTrue(m.containsKey("k999"));
    }
}
