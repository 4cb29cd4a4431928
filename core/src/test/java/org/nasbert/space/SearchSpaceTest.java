package org.nasbert.space;

import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;
import org.nasbert.nn.Parameterized;
import org.nasbert.supernet.OpModules;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NAS-BERT's search space: the paper's counts, canonical forms, and analytic sizes that match the modules. */
class SearchSpaceTest {
    private final SearchSpace paper = SearchSpace.paper();

    @Test
    void hasThePapersTwentySixCandidatesAndNinetySevenThousandSixHundredFiftyPathsPerBlock() {
        assertEquals(26, paper.candidatesPerLayer());
        assertEquals(97_650, paper.pathsPerBlock());
        List<BlockPath> all = paper.enumerate();
        assertEquals(97_650, all.size());
        Set<String> distinct = new HashSet<>();
        for (BlockPath p : all) {
            paper.check(p);
            distinct.add(p.toString());
        }
        assertEquals(97_650, distinct.size(), "no path twice");
        // 5 * 6^6 = 233,280 sequences of ops per block before identities are kept to the end
        assertEquals(233_280, 5 * (long) Math.pow(6, 6));
    }

    @Test
    void samplesPathsUniformly() {
        Random random = new Random(3);
        int samples = 200_000;
        int[] depth = new int[7];
        for (int i = 0; i < samples; i++) {
            depth[paper.sample(random).depth()]++;
        }
        // P(depth = d) = 5^d / 19,530 per hidden size: depth 6 holds 80% of the paths, depth 5 16%
        assertEquals(15_625.0 / 19_530, depth[6] / (double) samples, 0.01);
        assertEquals(3_125.0 / 19_530, depth[5] / (double) samples, 0.01);
        assertTrue(depth[1] > 0, "shallow paths are drawn too");
    }

    @Test
    void canonicalTextAndJsonRoundTrip() {
        Architecture a = Architecture.parse("256:mha,ffn,sep3,ffn,id,id | 384:sep7,mha,ffn,mha,ffn,sep5 | 128:ffn,id,id,id,id,id | 512:mha,ffn,mha,ffn,mha,ffn");
        assertEquals("256:mha,ffn,sep3,ffn,id,id | 384:sep7,mha,ffn,mha,ffn,sep5 | 128:ffn,id,id,id,id,id | 512:mha,ffn,mha,ffn,mha,ffn",
                a.toString());
        assertEquals(a, Architecture.parse(a.toString()));
        assertEquals(a, Architecture.fromJson(a.toJson(), "arch.json"));
        assertEquals(2, a.blocks().get(2).depth() + 1);
    }

    @Test
    void malformedArchitecturesSayWhatIsWrong() {
        assertTrue(assertThrows(NasbertException.class, () -> BlockPath.parse("256:mha,id,ffn")).getMessage().contains("ids come only at the end"));
        assertTrue(assertThrows(NasbertException.class, () -> BlockPath.parse("256:id,id")).getMessage().contains("at least one operation"));
        assertTrue(assertThrows(NasbertException.class, () -> BlockPath.parse("256:mha,conv")).getMessage().contains("unknown operation 'conv'"));
        assertTrue(assertThrows(NasbertException.class, () -> BlockPath.parse("mha,ffn")).getMessage().contains("expected <hidden>:"));
        assertTrue(assertThrows(NasbertException.class, () -> BlockPath.parse("256:sep4")).getMessage().contains("odd"));
        assertTrue(assertThrows(NasbertException.class, () -> paper.check(BlockPath.parse("320:mha,ffn,id,id,id,id"))).getMessage().contains("320"));
        assertTrue(assertThrows(NasbertException.class, () -> paper.check(BlockPath.parse("256:mha,ffn"))).getMessage().contains("2 layers"));
        assertTrue(assertThrows(NasbertException.class, () -> Architecture.fromJson("{\"blocks\":[{\"hidden\":256,\"ops\":[\"mha\",\"sep9x\"]}]}", "a.json"))
                .getMessage().startsWith("a.json: block 0: unknown operation 'sep9x'"));
        assertTrue(assertThrows(NasbertException.class, () -> Architecture.fromJson("{\"layers\":[]}", "a.json")).getMessage().contains("expected {\"blocks\""));
    }

    @Test
    void analyticParameterCountsEqualTheBuiltModules() {
        Random random = new Random(1);
        for (int h : paper.hiddenSizes()) {
            for (Op op : paper.operations()) {
                Parameterized<?> module = OpModules.build(op, h, 4, random);
                assertEquals(op.parameters(h, 4), module.parameterCount(), op + " at " + h);
            }
            assertNull(OpModules.build(Op.IDENTITY, h, 4, random));
        }
        // the paper's SepConv count H^2 + K*H, plus the biases and the LayerNorm this module holds
        assertEquals(256L * 256 + 3 * 256 + 2 * 256 + 2 * 256, Op.sepConv(3).parameters(256, 4));
        // MHA + FFN at 768 is one BERT-base encoder layer; BERT-base's 12 layers hold 85,054,464 weights
        assertEquals(85_054_464L, 12 * (Op.MHA.parameters(768, 4) + Op.FFN.parameters(768, 4)));
        BlockPath path = BlockPath.parse("384:mha,ffn,sep5,ffn,id,id");
        long sum = 0;
        for (Op op : path.ops()) {
            Parameterized<?> module = OpModules.build(op, 384, 4, random);
            sum += module == null ? 0 : module.parameterCount();
        }
        assertEquals(path.parameters(4), sum);
    }

    @Test
    void flopsCountTheMatrixProducts() {
        // FFN at 768 over 128 tokens: two 128 x 768 x 3072 products, 2 flops per multiply-add
        assertEquals(2L * 2 * 128 * 768 * 3072, Op.FFN.flops(768, 4, 128));
        // MHA: four 768 x 768 projections plus scores and weighted sums (2 x 128 x 128 x 768 multiply-adds)
        assertEquals(2L * 128 * 4 * 768 * 768 + 2L * 2 * 128 * 128 * 768, Op.MHA.flops(768, 4, 128));
        assertEquals(0, Op.IDENTITY.flops(768, 4, 128));
        assertEquals(Arrays.asList(Op.MHA, Op.FFN, Op.sepConv(3), Op.sepConv(5), Op.sepConv(7)), paper.operations());
    }
}
