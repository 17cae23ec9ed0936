package org.qmon.qmp.internal.json;

import static org.qmon.qmp.internal.json.JsonLexer.JSON_COLON;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_COMMA;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_FLOAT;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_INTEGER;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_KEYWORD;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_LCURLY;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_LSQUARE;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_RCURLY;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_RSQUARE;
import static org.qmon.qmp.internal.json.JsonLexer.JSON_STRING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses the token list of one framed message into a Jackson tree, with the grammar, checks and
 * error texts of QEMU's recursive-descent parser ({@code qobject/json-parser.c}: parse_value,
 * parse_object, parse_pair, parse_array, parse_literal, parse_keyword). Only the first error is
 * reported, as QEMU's {@code parse_error()} keeps the first one.
 *
 * <p>The recursion is replaced by an explicit container stack, so deep nesting cannot overflow
 * the Java stack; the order of the checks is that of the recursive functions. Not thread-safe.
 */
final class JsonParser {

    private static final String PREFIX = "JSON parse error, ";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final JsonStrings strings = new JsonStrings();
    /** Open containers; for objects, keys[i] is the key whose value is being parsed, else null. */
    private ContainerNode<?>[] stack = new ContainerNode<?>[16];
    private String[] keys = new String[16];
    private int depth;

    private TokenBuffer tokens;
    private int pos;
    private String error;
    /** The calling thread's {@link StringCache}, fetched once per message. */
    private StringCache cache;

    /**
     * The short strings a thread decoded lately, with their nodes. QMP traffic repeats a few strings
     * ("execute", "id", "arguments", command and member names) in every message: a hit costs a byte
     * comparison instead of a decode, a String and a TextNode, and the key String comes with its hash
     * already computed for the ObjectNode's map and the envelope look-ups. Strings and TextNodes are
     * immutable, so sharing them between the sessions of one thread is safe; one cache per thread (the
     * I/O threads, usually one) rather than per session keeps an idle session's footprint as it is.
     * Direct-mapped, {@value #SLOTS} slots: a bounded size whatever the input.
     */
    private static final class StringCache {
        static final int SLOTS = 64;
        /** Raw tokens (quotes included) of at most this many bytes are cached. */
        static final int MAX_RAW = 40;
        final byte[][] raw = new byte[SLOTS][];
        final TextNode[] nodes = new TextNode[SLOTS];
    }

    private static final ThreadLocal<StringCache> CACHES = ThreadLocal.withInitial(StringCache::new);

    /** Parses all tokens of the buffer as one JSON value. */
    JsonMessage parse(TokenBuffer tb) {
        tokens = tb;
        pos = 0;
        depth = 0;
        error = null;
        cache = CACHES.get();
        JsonNode result = run(tb.count());
        Arrays.fill(stack, 0, depth, null); // an error may leave containers behind
        Arrays.fill(keys, 0, depth, null);
        tokens = null;
        cache = null;
        return result != null ? JsonMessage.ofValue(result) : JsonMessage.ofError(PREFIX + error);
    }

    /** Returns the value, or null with {@link #error} set. */
    private JsonNode run(int n) {
        while (true) {
            // parse_value()
            if (pos == n) {
                return fail("premature EOI");
            }
            JsonNode value;
            int type = tokens.type(pos);
            switch (type) {
                case JSON_LCURLY, JSON_LSQUARE -> {
                    pos++;
                    if (pos == n) {
                        return fail("premature EOI");
                    }
                    boolean object = type == JSON_LCURLY;
                    if (tokens.type(pos) == (object ? JSON_RCURLY : JSON_RSQUARE)) {
                        pos++;
                        value = object ? newObject() : NODES.arrayNode();
                    } else {
                        // parse_pair() / first element: parse a value inside the new container
                        push(object ? newObject() : NODES.arrayNode());
                        continue;
                    }
                }
                case JSON_STRING, JSON_INTEGER, JSON_FLOAT, JSON_KEYWORD -> {
                    value = scalar(type, pos++);
                    if (value == null) {
                        return null;
                    }
                }
                default -> {
                    return fail("expecting value");
                }
            }
            // The value is complete: hand it to the enclosing containers until one needs more.
            while (true) {
                if (depth == 0) {
                    return value;
                }
                ContainerNode<?> top = stack[depth - 1];
                if (top instanceof ArrayNode array) {
                    array.add(value);
                    if (pos == n) {
                        return fail("premature EOI");
                    }
                    int t = tokens.type(pos++);
                    if (t == JSON_RSQUARE) {
                        value = pop();
                        continue;
                    }
                    if (t != JSON_COMMA) {
                        return fail("expected separator in list");
                    }
                    break; // parse the next element
                }
                ObjectNode object = (ObjectNode) top;
                String key = keys[depth - 1];
                if (key == null) {
                    // parse_pair(): the value just parsed is the key
                    if (!value.isTextual()) {
                        return fail("key is not a string in object");
                    }
                    if (pos == n) {
                        return fail("premature EOI");
                    }
                    if (tokens.type(pos++) != JSON_COLON) {
                        return fail("missing : in object pair");
                    }
                    keys[depth - 1] = value.textValue();
                    break; // parse the member value
                }
                // QEMU checks for a duplicate after the member value parsed.
                if (object.replace(key, value) != null) {
                    return fail("duplicate key");
                }
                keys[depth - 1] = null;
                if (pos == n) {
                    return fail("premature EOI");
                }
                int t = tokens.type(pos++);
                if (t == JSON_RCURLY) {
                    value = pop();
                    continue;
                }
                if (t != JSON_COMMA) {
                    return fail("expected separator in dict");
                }
                if (pos == n) {
                    return fail("premature EOI");
                }
                break; // parse the next key
            }
        }
    }

    // ---- The fast path: one pass over the bytes of a plain request -------------------------------

    /** The deepest nesting, most tokens and most bytes of a message the fast path takes. */
    static final int FAST_MAX_DEPTH = 16;
    static final int FAST_MAX_TOKENS = 512;
    static final int FAST_MAX_BYTES = 16 * 1024;

    /** Where the message {@link #fast} returned ends: the index just past its closing brace. */
    private int fastEnd;
    private byte[] in;
    private int at;
    private int limit;
    private int fastTokens;

    /** @return the index just past the message the last successful {@link #fast} call parsed */
    int fastEnd() {
        return fastEnd;
    }

    /**
     * Parses one plain object from {@code b[from..to)} in a single pass, without the lexer's token
     * list: the common request ({@code {"execute": "query-status", "id": 5}}). It takes only what the
     * full path would take without a doubt: objects and arrays at most {@value #FAST_MAX_DEPTH} deep,
     * strings of printable ASCII without escapes, integers of at most 18 digits, {@code true},
     * {@code false}, {@code null}, blanks between them (space, tab, CR, LF), all of it within
     * {@value #FAST_MAX_BYTES} bytes and {@value #FAST_MAX_TOKENS} tokens, and a closing brace inside
     * {@code to}. The tree is the one {@link #parse} would build, node for node (the same string cache,
     * integer and object nodes). Anything else (an escape, a float, a duplicate key, an error, a
     * message that goes on past {@code to}) returns {@code null} having decided nothing, and the
     * caller lexes the same bytes the full way. The caller calls it only between messages: leading
     * blanks are then what the lexer would skip.
     *
     * @return the object, with {@link #fastEnd()} just past its closing brace; or {@code null}
     */
    JsonNode fast(byte[] b, int from, int to) {
        int i = from;
        while (i < to && blank(b[i])) {
            i++;
        }
        if (i == to || b[i] != '{' || to - i < 2) {
            return null;
        }
        in = b;
        at = i;
        limit = Math.min(to, i + FAST_MAX_BYTES);
        fastTokens = 0;
        cache = CACHES.get();
        try {
            JsonNode v = fastValue(0);
            if (v != null) {
                fastEnd = at;
            }
            return v;
        } finally {
            in = null;
            cache = null;
        }
    }

    private static boolean blank(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** Skips blanks; returns the next byte, or -1 at the limit. */
    private int fastPeek() {
        int i = at;
        while (i < limit) {
            byte c = in[i];
            if (!blank(c)) {
                at = i;
                return c;
            }
            i++;
        }
        at = i;
        return -1;
    }

    private JsonNode fastValue(int depth) {
        if (++fastTokens > FAST_MAX_TOKENS) {
            return null;
        }
        int c = fastPeek();
        switch (c) {
            case '{' -> {
                return depth < FAST_MAX_DEPTH ? fastObject(depth + 1) : null;
            }
            case '[' -> {
                return depth < FAST_MAX_DEPTH ? fastArray(depth + 1) : null;
            }
            case '"' -> {
                return fastString();
            }
            case 't', 'f', 'n' -> {
                return fastKeyword();
            }
            default -> {
                return c == '-' || (c >= '0' && c <= '9') ? fastInteger() : null;
            }
        }
    }

    private ObjectNode fastObject(int depth) {
        at++; // '{'
        ObjectNode object = newObject();
        if (fastPeek() == '}') {
            at++;
            fastTokens++;
            return object;
        }
        while (true) {
            if (fastPeek() != '"' || ++fastTokens > FAST_MAX_TOKENS) {
                return null;
            }
            JsonNode key = fastString();
            if (key == null || fastPeek() != ':') {
                return null;
            }
            at++;
            fastTokens++;
            JsonNode value = fastValue(depth);
            if (value == null || object.replace(key.textValue(), value) != null) {
                return null; // a duplicate key is the full path's error to report
            }
            int c = fastPeek();
            fastTokens++;
            at++;
            if (c == '}') {
                return object;
            }
            if (c != ',') {
                return null;
            }
        }
    }

    private ArrayNode fastArray(int depth) {
        at++; // '['
        ArrayNode array = NODES.arrayNode();
        if (fastPeek() == ']') {
            at++;
            fastTokens++;
            return array;
        }
        while (true) {
            JsonNode value = fastValue(depth);
            if (value == null) {
                return null;
            }
            array.add(value);
            int c = fastPeek();
            fastTokens++;
            at++;
            if (c == ']') {
                return array;
            }
            if (c != ',') {
                return null;
            }
        }
    }

    /** A string of printable ASCII without escapes, through the cache as {@link #string} does. */
    private JsonNode fastString() {
        int start = at; // the opening quote
        int i = start + 1;
        while (i < limit) {
            byte c = in[i];
            if (c == '"') {
                at = i + 1;
                return string(in, start, at);
            }
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return null;
            }
            i++;
        }
        return null;
    }

    /**
     * {@code -?(0|[1-9][0-9]*)} of at most 18 digits, followed by a byte that ends it for the lexer
     * too (a blank, {@code ,}, {@code ]} or {@code }}): the lexer needs that byte to end a number.
     */
    private JsonNode fastInteger() {
        int start = at;
        int i = in[start] == '-' ? start + 1 : start;
        int digits = i;
        while (i < limit && in[i] >= '0' && in[i] <= '9') {
            i++;
        }
        int n = i - digits;
        if (n == 0 || n > 18 || (n > 1 && in[digits] == '0') || i == limit || !ends(in[i])) {
            return null;
        }
        at = i;
        return integer(in, start, i);
    }

    /** {@code true}, {@code false} or {@code null}, followed by a byte that ends a keyword. */
    private JsonNode fastKeyword() {
        int start = at;
        int i = start;
        while (i < limit && in[i] >= 'a' && in[i] <= 'z') {
            i++;
        }
        if (i == limit || !ends(in[i])) {
            return null;
        }
        JsonNode v = switch (i - start) {
            case 4 -> in[start] == 't' && in[start + 1] == 'r' && in[start + 2] == 'u' && in[start + 3] == 'e'
                    ? BooleanNode.TRUE
                    : in[start] == 'n' && in[start + 1] == 'u' && in[start + 2] == 'l' && in[start + 3] == 'l'
                            ? NullNode.getInstance() : null;
            case 5 -> in[start] == 'f' && in[start + 1] == 'a' && in[start + 2] == 'l' && in[start + 3] == 's'
                    && in[start + 4] == 'e' ? BooleanNode.FALSE : null;
            default -> null;
        };
        if (v != null) {
            at = i;
        }
        return v;
    }

    private static boolean ends(byte c) {
        return blank(c) || c == ',' || c == '}' || c == ']';
    }

    /**
     * An object whose members are a {@link SmallMap}: requests and their arguments mostly have two or
     * three members, and a hash table with an entry per member was most of what a request allocated.
     */
    private static ObjectNode newObject() {
        return new ObjectNode(NODES, new SmallMap<>());
    }

    private void push(ContainerNode<?> container) {
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
            keys = Arrays.copyOf(keys, depth * 2);
        }
        stack[depth] = container;
        keys[depth] = null;
        depth++;
    }

    private ContainerNode<?> pop() {
        depth--;
        ContainerNode<?> container = stack[depth];
        stack[depth] = null;
        return container;
    }

    private JsonNode fail(String message) {
        error = message;
        return null;
    }

    /** parse_literal() and parse_keyword(). */
    private JsonNode scalar(int type, int token) {
        byte[] b = tokens.bytes();
        int start = tokens.start(token);
        int end = tokens.end(token);
        switch (type) {
            case JSON_STRING -> {
                return string(b, start, end);
            }
            case JSON_INTEGER -> {
                return integer(b, start, end);
            }
            case JSON_FLOAT -> {
                return DoubleNode.valueOf(Double.parseDouble(ascii(b, start, end)));
            }
            default -> {
                String word = ascii(b, start, end);
                switch (word) {
                    case "true" -> {
                        return BooleanNode.TRUE;
                    }
                    case "false" -> {
                        return BooleanNode.FALSE;
                    }
                    case "null" -> {
                        return NullNode.getInstance();
                    }
                    default -> {
                        return fail("invalid keyword '" + word + "'");
                    }
                }
            }
        }
    }

    /** A string token as a node, through the thread's {@link StringCache} when it is short. */
    private JsonNode string(byte[] b, int start, int end) {
        int n = end - start;
        if (n > StringCache.MAX_RAW) {
            String s = strings.decode(b, start, end);
            return s != null ? TextNode.valueOf(s) : fail(strings.error());
        }
        int h = n;
        for (int i = start; i < end; i++) {
            h = 31 * h + b[i];
        }
        int slot = (h ^ (h >>> 7) ^ (h >>> 16)) & (StringCache.SLOTS - 1);
        byte[] raw = cache.raw[slot];
        if (raw != null && Arrays.equals(raw, 0, raw.length, b, start, end)) {
            return cache.nodes[slot];
        }
        String s = strings.decode(b, start, end);
        if (s == null) {
            return fail(strings.error()); // errors are not cached
        }
        TextNode node = TextNode.valueOf(s);
        cache.nodes[slot] = node;
        cache.raw[slot] = Arrays.copyOfRange(b, start, end);
        return node;
    }

    /**
     * json-parser.c: an integer is int64 if it fits, else uint64 if it fits (and is not
     * negative), else a double (strtod).
     */
    private static JsonNode integer(byte[] b, int start, int end) {
        boolean negative = b[start] == '-';
        int p = negative ? start + 1 : start;
        if (end - p <= 18) { // at most 18 digits always fit in a long
            long v = 0;
            while (p < end) {
                v = v * 10 + (b[p++] - '0');
            }
            if (negative) {
                v = -v;
            }
            return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
        }
        String text = ascii(b, start, end);
        BigInteger big = new BigInteger(text);
        if (big.bitLength() <= 63) {
            return LongNode.valueOf(big.longValue());
        }
        if (!negative && big.compareTo(UINT64_MAX) <= 0) {
            return BigIntegerNode.valueOf(big);
        }
        return DoubleNode.valueOf(Double.parseDouble(text));
    }

    private static String ascii(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
