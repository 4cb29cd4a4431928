package org.nasbert.student;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nasbert.nn.Tensors;
import org.nasbert.nn.TokenBatch;
import org.nasbert.space.Architecture;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.supernet.SupernetBlock;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.TestData;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Standalone students: as small as their architecture, and, inherited, computing exactly what the search scored. */
class StudentModelTest {

    @Test
    void aFreshStudentHoldsExactlyTheWeightsItsArchitectureIsCountedFor() {
        StudentSize size = new StudentSize(1000, 64, 2, 4);
        String[] archs = {"128:mha,ffn,id | 128:sep3,id,id", "64:sep5,mha,ffn | 128:ffn,id,id | 64:mha,id,id",
                "256:ffn,ffn,ffn"};
        for (String text : archs) {
            Architecture a = Architecture.parse(text);
            int first = a.blocks().get(0).hidden();
            int last = a.blocks().get(a.blocks().size() - 1).hidden();
            StudentModel student = StudentModel.fresh(a, first, 1000, 64, 4, 7);
            assertEquals(size.parameters(a) - StudentSize.headParameters(last), student.parameterCount(), text);
            StudentModel wider = StudentModel.fresh(a, first * 2, 1000, 64, 4, 7);
            long embeddingsGrowth = (1000 + 64 + 2) * (long) first + 2L * first;
            assertEquals(student.parameterCount() + embeddingsGrowth + StudentSize.projectionParameters(first * 2, first),
                    wider.parameterCount(), text + " with embeddings twice as wide and a projection to block 0");
            assertEquals(size.withEmbeddingSize(first * 2).parameters(a) - StudentSize.headParameters(last), wider.parameterCount(),
                    text + ": the search's count for that embedding size");
            assertEquals(size.parameters(a), size.withEmbeddingSize(first).parameters(a), "block 0's width needs no projection");
        }
    }

    @Test
    void anInheritedStudentComputesTheSupernetChainTheSearchScored() throws Exception {
        BertWeights teacher = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration()).weights();
        int width = teacher.config().hiddenSize;
        SearchSpace space = new SearchSpace(new int[]{64, 128}, new int[]{3}, 3, 4);
        SupernetBlock[] supernet = {new SupernetBlock(space, width, 11), new SupernetBlock(space, width, 12),
                new SupernetBlock(space, width, 13)};
        Random noise = new Random(9);
        for (SupernetBlock block : supernet) {
            // as if trained: no weight (biases included) keeps its initial value
            for (String g : block.groupNames()) {
                float[] w = block.flatten(g, false);
                for (int i = 0; i < w.length; i++) {
                    w[i] += (float) (0.02 * noise.nextGaussian());
                }
                block.load(g, w, false);
            }
        }
        Architecture a = Architecture.parse("128:mha,sep3,ffn | 64:ffn,id,id | 64:sep3,mha,id");
        StudentModel student = StudentModel.inherited(a, supernet, teacher);

        Random random = new Random(4);
        int[] lengths = {17, 9, 12};
        int[][] ids = new int[3][17];
        for (int[] row : ids) {
            for (int t = 0; t < row.length; t++) {
                row[t] = 1000 + random.nextInt(20000);
            }
        }
        Tensor<Float> got = Tensors.dense(student.forward(ids, null, lengths).clone());

        // the search's way: the teacher's embedding output through each supernet block (projections in and out)
        TokenBatch batch = new TokenBatch(ids, null, lengths);
        Tensor<Float> h = new BertModel(teacher).forward(ids, null, lengths, 0, false).hidden.get(0).clone();
        for (int n = 0; n < 3; n++) {
            h = supernet[n].forward(a.blocks().get(n), h, batch.mask);
        }
        Tensor<Float> want = Tensors.dense(h);
        assertEquals(width, got.size(3), "the inherited student ends at the teacher's width");
        double maxDiff = 0;
        double scale = 0;
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                for (int c = 0; c < width; c++) {
                    int i = (b * 17 + t) * width + c;
                    float x = Tensors.data(got)[Tensors.offset(got) + i];
                    float y = Tensors.data(want)[Tensors.offset(want) + i];
                    maxDiff = Math.max(maxDiff, Math.abs(x - y));
                    scale = Math.max(scale, Math.abs(y));
                }
            }
        }
        assertTrue(scale > 0.1, "a non-trivial output: " + scale);
        assertTrue(maxDiff <= 1e-4 * Math.max(1, scale), "max |student - supernet chain| = " + maxDiff + " at scale " + scale);
        assertTrue(student.parameterCount() < 0.8 * teacher.parameterCount(), "smaller than the teacher: " + student.parameterCount());
        Tensor<Float> inferred = Tensors.dense(student.infer(ids, null, lengths));
        for (int i = 0; i < got.nElement(); i++) {
            assertEquals(Tensors.data(got)[Tensors.offset(got) + i], Tensors.data(inferred)[Tensors.offset(inferred) + i], 0,
                    "inference (activations released as it goes) gives the forward's output");
        }
    }
}
