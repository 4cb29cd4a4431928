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
 * <p>Streaming: segments go in one at a time, so a document can be larger than memory. Randomness
 * is seeded per document, so the output does not depend on how the input was split or partitioned.
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

    public Document startDocument(long docId, long seed) {
        return new Document(docId, seed);
    }

    /** Packs a whole document at once. */
    public List<PackedSequence> pack(List<int[]> segments, long docId, long seed) {
        List<PackedSequence> out = new ArrayList<>();
        Document document = startDocument(docId, seed);
        for (int[] segment : segments) {
            document.add(segment, out);
        }
        document.finish(out);
        return out;
    }

    /** One document being packed. */
    public final class Document {
        private final long docId;
        private final SplittableRandom random;
        private final int target;
        private final List<int[]> chunk = new ArrayList<>();
        private int chunkLength;
        private int emitted;
        /** Tokens that made it into sequences, and tokens trimmed away to fit. */
        public long tokensKept;
        public long tokensTruncated;

        private Document(long docId, long seed) {
            this.docId = docId;
            this.random = new SplittableRandom(mix(seed, docId));
            int maxContent = maxSeqLen - 3;
            this.target = random.nextDouble() < shortSeqProb ? 2 + random.nextInt(maxContent - 1) : maxContent;
        }

        /** Adds a non-empty segment; appends a sequence to {@code out} when the chunk reaches the target. */
        public void add(int[] segment, List<PackedSequence> out) {
            if (segment.length == 0) {
                return;
            }
            chunk.add(segment);
            chunkLength += segment.length;
            if (chunkLength >= target) {
                out.add(build());
            }
        }

        /** Packs what is left at the end of the document. */
        public void finish(List<PackedSequence> out) {
            if (!chunk.isEmpty()) {
                out.add(build());
            }
        }

        public int sequences() {
            return emitted;
        }

        private PackedSequence build() {
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
            tokensKept += aLen + bLen;
            tokensTruncated += chunkLength - aLen - bLen;
            chunk.clear();
            chunkLength = 0;
            return new PackedSequence(docId, emitted++, ids, hasB ? aLen + 2 : ids.length);
        }
    }

    private static long mix(long seed, long docId) {
        long z = seed * 0x9E3779B97F4A7C15L + docId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
