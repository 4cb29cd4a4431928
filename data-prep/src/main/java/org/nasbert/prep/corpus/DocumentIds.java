package org.nasbert.prep.corpus;

import java.nio.charset.StandardCharsets;

/** Stable 64-bit document ids from (file URI, byte offset); never 0, which marks "no document". */
public final class DocumentIds {
    private DocumentIds() {
    }

    public static long of(String fileUri, long offset) {
        long h = 0xcbf29ce484222325L;
        for (byte b : fileUri.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= offset * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
