package org.qmon.qmp.internal.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The order in which QEMU's {@code qdict_first()}/{@code qdict_next()} visit an object's members.
 *
 * <p>QEMU checks a request's members in that order ({@code qmp_dispatch_check_obj()}), so when a
 * request has two faults the one QEMU reports depends on it: for
 * {@code {"execute": "a", "exec-oob": "b"}} and {@code {"exec-oob": "b", "execute": "a"}} alike QEMU
 * answers {@code QMP input member 'execute' clashes with 'exec-oob'}, because {@code exec-oob} hashes
 * into an earlier bucket. A QDict is 512 buckets chosen by {@code tdb_hash(key) % 512}, visited in
 * ascending order; a bucket is a list with the newest member first.
 */
public final class QdictOrder {

    private static final int BUCKETS = 512;

    private QdictOrder() {
    }

    /**
     * QEMU's {@code tdb_hash()} of a key's UTF-8 bytes (unsigned 32-bit arithmetic, as in C).
     *
     * @param key a member name
     * @return the hash, as the bits of a C {@code unsigned}
     */
    static int tdbHash(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        int value = 0x238F13AF * b.length;
        for (int i = 0; i < b.length; i++) {
            value += (b[i] & 0xff) << (i * 5 % 24);
        }
        return 1103515243 * value + 12345;
    }

    /**
     * The QDict bucket of a key.
     *
     * @param key a member name
     * @return 0..511
     */
    static int bucket(String key) {
        return tdbHash(key) & (BUCKETS - 1);
    }

    /**
     * The object's member names in QEMU's iteration order.
     *
     * @param object a parsed object; its own order is insertion order (a duplicate key keeps the
     *     position of its first occurrence, as in a QDict, where a repeated key replaces the value)
     * @return the names, ordered by bucket, newest first within a bucket
     */
    public static List<String> keys(ObjectNode object) {
        List<String> names = new ArrayList<>(object.size());
        object.fieldNames().forEachRemaining(names::add);
        if (names.size() < 2) {
            return names;
        }
        List<Integer> insertion = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            insertion.add(i);
        }
        insertion.sort(Comparator.<Integer>comparingInt(i -> bucket(names.get(i))).thenComparing(Comparator.reverseOrder()));
        List<String> ordered = new ArrayList<>(names.size());
        for (int i : insertion) {
            ordered.add(names.get(i));
        }
        return ordered;
    }
}
