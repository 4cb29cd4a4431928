package org.nasbert.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Packs a document's segments (sentences) into sequences as BERT's create_pretraining_data does,
 * without the next-sentence task: segments accumulate until a target length (the maximum, or with
 * probability {@code shortSeqProb} a random shorter one, drawn once per document), the chunk is cut
 * at a random segment boundary into A and B (B is always the true continuation; a one-segment chunk
 * has no B), and the longer side is trimmed at a random end until {@code [CLS] A [SEP] B [SEP]} fits.
 *
 * <p>Randomness is seeded per document, so the output does not depend on how input was split or
 * partitioned.
 */
public final class SequencePacker {
    private final int maxSeqLen;
    private final double shortSeqProb;
    private final int clsId;
    private final int sepId;

    public SequencePacker(int maxSeqLen, double shortSeqProb, int clsId, int sepId) {
        if (maxSeqLen < 5) {
            throw new IllegalArgumentException("max_seq_len must be at least 5, got " + maxSeqLen);
        }
        if (shortSeqProb < 0 || shortSeqProb > 1) {
            throw new IllegalArgumentException("short_seq_prob must be in [0, 1], got " + shortSeqProb);
        }
        this.maxSeqLen = maxSeqLen;
        this.shortSeqProb = shortSeqProb;
        this.clsId = clsId;
        this.sepId = sepId;
    }

    /** What packing kept and dropped, for the manifest. */
    public static final class Result {
        public final List<PackedSequence> sequences = new ArrayList<>();
        public long tokensKept;
        public long tokensTruncated;
    }

    /**
     * @param segments the document's segments, each a non-empty list of token ids
     */
    public Result pack(List<int[]> segments, long docId, long seed) {
        Result result = new Result();
        SplittableRandom random = new SplittableRandom(mix(seed, docId));
        int maxContent = maxSeqLen - 3;
        int target = random.nextDouble() < shortSeqProb ? 2 + random.nextInt(maxContent - 1) : maxContent;
        List<int[]> chunk = new ArrayList<>();
        int chunkLength = 0;
        for (int i = 0; i < segments.size(); i++) {
            chunk.add(segments.get(i));
            chunkLength += segments.get(i).length;
            if (i == segments.size() - 1 || chunkLength >= target) {
                result.sequences.add(build(chunk, chunkLength, docId, result.sequences.size(), random, result));
                chunk.clear();
                chunkLength = 0;
            }
        }
        return result;
    }

    private PackedSequence build(List<int[]> chunk, int chunkLength, long docId, int index,
                                 SplittableRandom random, Result result) {
        int aEnd = chunk.size() >= 2 ? 1 + random.nextInt(chunk.size() - 1) : chunk.size();
        int[] tokens = new int[chunkLength];
        int aLength = 0;
        int at = 0;
        for (int s = 0; s < chunk.size(); s++) {
            System.arraycopy(chunk.get(s), 0, tokens, at, chunk.get(s).length);
            at += chunk.get(s).length;
            if (s < aEnd) {
                aLength = at;
            }
        }
        // Windows [aLo, aHi) and [bLo, bHi) over tokens; trimming moves their ends.
        int aLo = 0, aHi = aLength, bLo = aLength, bHi = chunkLength;
        int maxContent = chunk.size() >= 2 ? maxSeqLen - 3 : maxSeqLen - 2;
        while ((aHi - aLo) + (bHi - bLo) > maxContent) {
            boolean trimA = (aHi - aLo) > (bHi - bLo);
            boolean front = random.nextDouble() < 0.5;
            if (trimA) {
                if (front) aLo++; else aHi--;
            } else {
                if (front) bLo++; else bHi--;
            }
        }
        int aLen = aHi - aLo;
        int bLen = bHi - bLo;
        boolean hasB = bLen > 0;
        int[] ids = new int[aLen + bLen + (hasB ? 3 : 2)];
        ids[0] = clsId;
        System.arraycopy(tokens, aLo, ids, 1, aLen);
        ids[aLen + 1] = sepId;
        if (hasB) {
            System.arraycopy(tokens, bLo, ids, aLen + 2, bLen);
            ids[ids.length - 1] = sepId;
        }
        result.tokensKept += aLen + bLen;
        result.tokensTruncated += chunkLength - aLen - bLen;
        return new PackedSequence(docId, index, ids, hasB ? aLen + 2 : ids.length);
    }

    private static long mix(long seed, long docId) {
        long z = seed * 0x9E3779B97F4A7C15L + docId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
