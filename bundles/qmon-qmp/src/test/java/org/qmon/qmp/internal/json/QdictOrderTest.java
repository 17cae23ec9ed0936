package org.qmon.qmp.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class QdictOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bucketsMatchQemusTdbHash() {
        // Values computed with QEMU's tdb_hash() % QDICT_BUCKET_MAX.
        assertEquals(299, QdictOrder.bucket("execute"));
        assertEquals(162, QdictOrder.bucket("exec-oob"));
        assertEquals(486, QdictOrder.bucket("id"));
        assertEquals(447, QdictOrder.bucket("arguments"));
        assertEquals(41, QdictOrder.bucket("extra"));
    }

    @Test
    void keysComeInBucketOrderWhateverTheInputOrder() throws Exception {
        ObjectNode a = (ObjectNode) JSON.readTree("{\"id\": 1, \"execute\": \"x\", \"exec-oob\": \"y\", \"extra\": 0}");
        ObjectNode b = (ObjectNode) JSON.readTree("{\"extra\": 0, \"exec-oob\": \"y\", \"execute\": \"x\", \"id\": 1}");
        assertEquals(List.of("extra", "exec-oob", "execute", "id"), QdictOrder.keys(a));
        assertEquals(QdictOrder.keys(a), QdictOrder.keys(b));
    }

    @Test
    void sameBucketIsNewestFirst() throws Exception {
        // Find two distinct keys sharing a bucket, then check both insertion orders.
        String first = "k0";
        String second = null;
        for (int i = 1; second == null; i++) {
            if (QdictOrder.bucket("k" + i) == QdictOrder.bucket(first)) {
                second = "k" + i;
            }
        }
        ObjectNode o = JSON.createObjectNode().put(first, 1).put(second, 2);
        assertEquals(List.of(second, first), QdictOrder.keys(o));
    }
}
