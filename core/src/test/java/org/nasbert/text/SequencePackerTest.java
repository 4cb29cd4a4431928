package org.nasbert.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequencePackerTest {
    private static final int CLS = 101;
    private static final int SEP = 102;

    /** Segments of consecutive ids starting at 1000, so order and gaps are visible. */
    private static List<int[]> segments(int... lengths) {
        List<int[]> out = new ArrayList<>();
        int next = 1000;
        for (int length : lengths) {
            int[] s = new int[length];
            for (int i = 0; i < length; i++) {
                s[i] = next++;
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void aShortDocumentBecomesOneSequenceWithEveryTokenInOrder() {
        SequencePacker packer = new SequencePacker(32, 0.0, CLS, SEP);
        List<PackedSequence> out = packer.pack(segments(3, 4, 5), 7L, 1L);
        assertEquals(1, out.size());
        PackedSequence seq = out.get(0);
        int[] ids = seq.inputIds;
        assertEquals(12 + 3, ids.length);
        assertEquals(CLS, ids[0]);
        assertEquals(SEP, ids[seq.segmentBStart - 1]);
        assertEquals(SEP, ids[ids.length - 1]);
        assertTrue(seq.segmentBStart == 5 || seq.segmentBStart == 9, "A ends at a segment boundary");
        List<Integer> content = new ArrayList<>();
        for (int id : ids) {
            if (id != CLS && id != SEP) {
                content.add(id);
            }
        }
        for (int i = 0; i < content.size(); i++) {
            assertEquals(1000 + i, (int) content.get(i));
        }
        int[] types = seq.tokenTypeIds();
        for (int i = 0; i < types.length; i++) {
            assertEquals(i < seq.segmentBStart ? 0 : 1, types[i]);
        }
    }

    @Test
    void aSegmentLongerThanASequenceIsTrimmedToAContiguousRun() {
        SequencePacker packer = new SequencePacker(16, 0.0, CLS, SEP);
        List<PackedSequence> out = packer.pack(segments(40), 3L, 9L);
        assertEquals(1, out.size());
        int[] ids = out.get(0).inputIds;
        assertEquals(16, ids.length, "[CLS] + 14 tokens + [SEP], no B");
        assertEquals(SEP, ids[15]);
        assertTrue(!out.get(0).hasSegmentB());
        for (int i = 2; i < 15; i++) {
            assertEquals(ids[i - 1] + 1, ids[i], "contiguous: " + Arrays.toString(ids));
        }
    }

    @Test
    void chunksCloseWhenTheyReachTheTargetAndKeepOrderAcrossSequences() {
        SequencePacker packer = new SequencePacker(16, 0.0, CLS, SEP);
        List<PackedSequence> out = packer.pack(segments(5, 5, 5, 5, 5, 5), 11L, 2L);
        // Target 13 content tokens: chunks of 3 segments (15 tokens, trimmed by 2), twice.
        assertEquals(2, out.size());
        int previous = 0;
        for (PackedSequence seq : out) {
            assertEquals(16, seq.length());
            for (int id : seq.inputIds) {
                if (id != CLS && id != SEP) {
                    assertTrue(id > previous);
                    previous = id;
                }
            }
        }
        assertEquals(0, out.get(0).indexInDoc);
        assertEquals(1, out.get(1).indexInDoc);
    }

    @Test
    void packingIsAFunctionOfSeedAndDocument() {
        SequencePacker packer = new SequencePacker(24, 0.5, CLS, SEP);
        List<int[]> doc = segments(7, 3, 9, 2, 8, 6, 4, 7, 5, 3, 9, 6);
        assertEquals(render(packer.pack(doc, 5L, 42L)), render(packer.pack(doc, 5L, 42L)));
        List<String> others = new ArrayList<>();
        for (long seed = 1; seed <= 8; seed++) {
            others.add(render(packer.pack(doc, 5L, seed)));
        }
        assertNotEquals(1, others.stream().distinct().count(), "different seeds pack differently");
    }

    @Test
    void keptAndTrimmedTokensAddUpToTheInput() {
        SequencePacker packer = new SequencePacker(20, 0.1, CLS, SEP);
        List<int[]> doc = segments(30, 1, 2, 17, 9, 9, 40, 3, 3, 3, 12);
        SequencePacker.Document document = packer.startDocument(77L, 3L);
        List<PackedSequence> out = new ArrayList<>();
        for (int[] segment : doc) {
            document.add(segment, out);
        }
        document.finish(out);
        long content = out.stream().mapToLong(PackedSequence::contentTokens).sum();
        assertEquals(content, document.tokensKept);
        assertEquals(129, document.tokensKept + document.tokensTruncated);
        for (PackedSequence seq : out) {
            assertTrue(seq.length() <= 20);
        }
    }

    private static String render(List<PackedSequence> sequences) {
        StringBuilder s = new StringBuilder();
        for (PackedSequence seq : sequences) {
            s.append(Arrays.toString(seq.inputIds)).append('|').append(seq.segmentBStart).append('\n');
        }
        return s.toString();
    }

    @Test
    void refusesAnImpossibleLength() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SequencePacker(4, 0.1, CLS, SEP));
    }

    @Test
    void theUnpaddedIdsCarryNoPadding() {
        SequencePacker packer = new SequencePacker(64, 0.0, CLS, SEP);
        PackedSequence seq = packer.pack(segments(2), 1L, 1L).get(0);
        assertArrayEquals(new int[]{CLS, 1000, 1001, SEP}, seq.inputIds);
    }
}
