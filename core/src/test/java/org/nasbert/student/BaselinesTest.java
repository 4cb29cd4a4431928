package org.nasbert.student;

import org.junit.jupiter.api.Test;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Uniform baselines: BERT's own sizes counted right, and the largest one within each of the paper's budgets. */
class BaselinesTest {
    private static final int[] WIDTHS = {128, 192, 256, 384, 512};

    @Test
    void uniformEncodersHaveBertsParameterCounts() {
        // Hugging Face's BertModel (with pooler) for google/bert_uncased_L-2_H-128_A-2 ("BERT-Tiny") has 4,385,920 weights
        // and for L-4_H-256_A-4 ("BERT-Mini") 11,170,560; ours adds only the 2-way classifier (2h + 2)
        assertEquals(4_385_920L + 2 * 128 + 2, StudentSize.BERT.parameters(Baselines.uniform(2, 128)));
        assertEquals(11_170_560L + 2 * 256 + 2, StudentSize.BERT.parameters(Baselines.uniform(4, 256)));
    }

    @Test
    void theLargestUniformEncoderWithinEachPaperBudget() {
        for (long budget : new long[]{5_000_000, 10_000_000, 30_000_000, 60_000_000}) {
            Architecture a = Baselines.largestWithin(budget, WIDTHS, 12, StudentSize.BERT);
            long p = StudentSize.BERT.parameters(a);
            assertTrue(p <= budget, a + ": " + p);
            for (int h : WIDTHS) {
                for (int l = 1; l <= 12; l++) {
                    long q = StudentSize.BERT.parameters(Baselines.uniform(l, h));
                    assertTrue(q > budget || q <= p, "L" + l + "/H" + h + " (" + q + ") fits " + budget + " and is larger than " + a);
                }
            }
        }
        assertEquals("128:" + "mha,ffn,".repeat(4) + "mha,ffn", Baselines.largestWithin(5_000_000, WIDTHS, 12, StudentSize.BERT).toString(),
                "5M: L5/H128 (the paper's L6/H128 is 5.1M)");
        assertNull(Baselines.largestWithin(1_000_000, WIDTHS, 12, StudentSize.BERT), "embeddings alone exceed 1M");
    }
}
