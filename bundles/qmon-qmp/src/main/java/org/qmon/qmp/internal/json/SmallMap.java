package org.qmon.qmp.internal.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The member map of a parsed JSON object: insertion-ordered like the {@link LinkedHashMap} Jackson's
 * {@code ObjectNode} uses by default, but two arrays while it is small. A request and its arguments
 * have two or three members; for them a look-up is a scan of a few keys (by identity first: the
 * parser hands out the same {@code String} for a repeated key), and an insert is a store, with no
 * table, no entry objects and no hashing. Past {@value #SMALL} members it moves everything into a
 * {@link LinkedHashMap} and delegates to it, so a large object costs what it did before and a
 * crafted one cannot make look-ups quadratic.
 *
 * <p>A plain map: the {@link Map} contract in full ({@code equals} and {@code hashCode} by
 * {@link AbstractMap}); {@code null} keys are refused, {@code null} values are not expected (Jackson
 * stores a {@code NullNode}) but allowed. Not thread-safe, as the map it replaces.
 */
final class SmallMap<V> extends AbstractMap<String, V> {

    /** The most members kept in the arrays. */
    static final int SMALL = 8;

    private String[] keys = new String[4];
    private Object[] values = new Object[4];
    private int size;
    /** Every change of membership, so that an iterator notices a change under it. */
    private int modCount;
    /** Set once the map grew past {@link #SMALL}: from then on everything is in it. */
    private LinkedHashMap<String, V> big;

    private int indexOf(Object key) {
        String[] k = keys;
        for (int i = 0; i < size; i++) {
            if (k[i] == key) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (k[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return big != null ? big.size() : size;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return big != null ? big.containsKey(key) : key != null && indexOf(key) >= 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (big != null) {
            return big.get(key);
        }
        if (key == null) {
            return null;
        }
        int i = indexOf(key);
        return i < 0 ? null : (V) values[i];
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(String key, V value) {
        if (key == null) {
            throw new NullPointerException("a JSON member name is never null");
        }
        if (big != null) {
            return big.put(key, value);
        }
        int i = indexOf(key);
        if (i >= 0) {
            V old = (V) values[i];
            values[i] = value; // a replaced member keeps its place, as in LinkedHashMap
            return old;
        }
        if (size == SMALL) {
            big = new LinkedHashMap<>(32);
            for (int j = 0; j < size; j++) {
                big.put(keys[j], (V) values[j]);
            }
            keys = null;
            values = null;
            size = 0;
            modCount++;
            return big.put(key, value);
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, SMALL);
            values = Arrays.copyOf(values, SMALL);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        modCount++;
        return null;
    }

    @Override
    public V remove(Object key) {
        if (big != null) {
            return big.remove(key);
        }
        int i = key == null ? -1 : indexOf(key);
        return i < 0 ? null : removeAt(i);
    }

    @SuppressWarnings("unchecked")
    private V removeAt(int i) {
        V old = (V) values[i];
        int tail = size - i - 1;
        System.arraycopy(keys, i + 1, keys, i, tail);
        System.arraycopy(values, i + 1, values, i, tail);
        size--;
        keys[size] = null;
        values[size] = null;
        modCount++;
        return old;
    }

    @Override
    public void clear() {
        if (big != null) {
            big.clear();
            return;
        }
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        modCount++;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        if (big != null) {
            return big.entrySet();
        }
        return new AbstractSet<>() {
            @Override
            public int size() {
                return SmallMap.this.size();
            }

            @Override
            public Iterator<Entry<String, V>> iterator() {
                if (big != null) {
                    return big.entrySet().iterator();
                }
                return new Iterator<>() {
                    private int next;
                    private int last = -1;
                    private int expected = modCount;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, V> next() {
                        if (modCount != expected) {
                            throw new ConcurrentModificationException();
                        }
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        last = next++;
                        return new Member(last);
                    }

                    @Override
                    public void remove() {
                        if (last < 0) {
                            throw new IllegalStateException();
                        }
                        if (modCount != expected) {
                            throw new ConcurrentModificationException();
                        }
                        removeAt(last);
                        next = last;
                        last = -1;
                        expected = modCount;
                    }
                };
            }
        };
    }

    /** A member seen through the entry set: reads and writes the arrays at its index. */
    private final class Member implements Entry<String, V> {
        private final int index;
        private final String key;

        Member(int index) {
            this.index = index;
            this.key = keys[index];
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V getValue() {
            return big == null && index < size && keys[index] == key ? (V) values[index] : get(key);
        }

        @Override
        public V setValue(V value) {
            return put(key, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry<?, ?> e && key.equals(e.getKey()) && java.util.Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ java.util.Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }
}
