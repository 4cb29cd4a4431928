package org.nasbert.finetune;

import org.nasbert.io.Sha256;
import org.nasbert.tasks.TaskExample;
import org.nasbert.text.WordPieceTokenizer;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/** A task example as the model reads it: {@code [CLS] a [SEP]} or {@code [CLS] a [SEP] b [SEP]}, segment ids 0 then 1. */
public final class EncodedExample implements Serializable {
    private static final long serialVersionUID = 1L;
    public final int[] ids;
    public final int[] types;
    /** Class id; -1 for regression. */
    public final int label;
    /** Regression target; NaN for classification. */
    public final double score;
    public final String origin;

    public EncodedExample(int[] ids, int[] types, int label, double score, String origin) {
        if (ids.length != types.length || ids.length < 2) {
            throw new IllegalArgumentException(origin + ": " + ids.length + " ids and " + types.length + " segment ids");
        }
        this.ids = ids;
        this.types = types;
        this.label = label;
        this.score = score;
        this.origin = origin;
    }

    /**
     * Tokenizes with the teacher's vocabulary, cutting the longer text one piece at a time (as BERT's
     * run_classifier does) until the whole fits in {@code maxLength} tokens with its special tokens.
     */
    public static EncodedExample of(TaskExample e, WordPieceTokenizer tokenizer, int maxLength) {
        int[] a = tokenizer.encode(e.textA);
        int[] b = e.textB == null ? null : tokenizer.encode(e.textB);
        int specials = b == null ? 2 : 3;
        if (maxLength <= specials) {
            throw new IllegalArgumentException("a maximum length of " + maxLength + " leaves no room for text");
        }
        int la = a.length;
        int lb = b == null ? 0 : b.length;
        while (la + lb + specials > maxLength) {
            if (la >= lb) {
                la--;
            } else {
                lb--;
            }
        }
        int n = la + lb + specials;
        int[] ids = new int[n];
        int[] types = new int[n];
        int cls = tokenizer.vocabulary().clsId();
        int sep = tokenizer.vocabulary().sepId();
        ids[0] = cls;
        System.arraycopy(a, 0, ids, 1, la);
        ids[la + 1] = sep;
        if (b != null) {
            System.arraycopy(b, 0, ids, la + 2, lb);
            ids[n - 1] = sep;
            Arrays.fill(types, la + 2, n, 1);
        }
        return new EncodedExample(ids, types, e.label, e.score, e.origin);
    }

    /** A digest of what training reads from the examples, in order (ids, segments, label, score): checkpoints' key. */
    public static String sha256(List<EncodedExample> examples) {
        MessageDigest digest = Sha256.digest();
        ByteBuffer buffer = ByteBuffer.allocate(8);
        for (EncodedExample e : examples) {
            buffer.clear();
            digest.update(buffer.putInt(e.ids.length).putInt(e.label).array(), 0, 8);
            for (int k = 0; k < e.ids.length; k++) {
                buffer.clear();
                digest.update(buffer.putInt(e.ids[k]).putInt(e.types[k]).array(), 0, 8);
            }
            buffer.clear();
            digest.update(buffer.putDouble(e.score).array(), 0, 8);
        }
        return Sha256.hex(digest);
    }
}
