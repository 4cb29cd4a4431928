package org.nasbert.student;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.nasbert.finetune.TaskHead;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ONNX export, run by ONNX Runtime (an engine of its own), computes what the BigDL student computes. */
class StudentOnnxTest {

    @Test
    void onnxRuntimeRunningTheExportMatchesTheStudentOnRealTokens() throws Exception {
        // every op kind, two kernels, width changes (linear maps), an input and an output projection
        StudentModel student = StudentModel.fresh(Architecture.parse("64:mha,sep3,ffn | 128:sep5,mha,id | 64:ffn,mha,id"),
                48, 500, 40, 4, 11, 96);
        perturb(student, new Random(5));
        int[] lengths = {17, 9, 12};
        int seq = 17;
        int[][] ids = words(new Random(3), lengths, seq);
        int[][] types = new int[3][seq];
        for (int b = 0; b < 3; b++) {
            for (int t = lengths[b] / 2; t < lengths[b]; t++) {
                types[b][t] = 1;
            }
        }
        float[] expected = Tensors.copyOf(student.infer(ids, types, lengths));
        float[][][] actual = run(StudentOnnx.of(student), ids, types, lengths);
        assertEquals(96, actual[0][0].length);
        double worst = 0;
        double scale = 0;
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                for (int c = 0; c < 96; c++) {
                    float e = expected[(b * seq + t) * 96 + c];
                    worst = Math.max(worst, Math.abs(e - actual[b][t][c]));
                    scale = Math.max(scale, Math.abs(e));
                }
            }
        }
        assertTrue(scale > 0.5, "outputs of a real size: " + scale);
        System.out.printf("StudentOnnxTest: max |BigDL - ONNX Runtime| %.2e over outputs up to %.2f%n", worst, scale);
        assertTrue(worst <= 1e-4, "max |BigDL - ONNX Runtime| " + worst);
    }

    @Test
    void theClassifierExportGivesTheTaskHeadsLogitsOverRealTokensOnly() throws Exception {
        // a fine-tuned student: 48-wide embeddings projected to block 0, an output projection, then the task head
        StudentModel student = StudentModel.fresh(Architecture.parse("64:mha,sep3 | 128:ffn,sep5"), 48, 500, 40, 4, 12, 96);
        perturb(student, new Random(6));
        TaskHead head = new TaskHead(96, 3, new Random(7));
        int[] lengths = {13, 5, 9};
        int seq = 13;
        int[][] ids = words(new Random(4), new int[]{seq, seq, seq}, seq); // padded places hold words too: they must not count
        int[][] types = new int[3][seq];
        float[] expected = Tensors.copyOf(head.forward(student.infer(ids, types, lengths), lengths));
        float[][] logits = (float[][]) runAll(StudentOnnx.withTaskHead(student, head.dense()), ids, types, lengths)[1];
        double worst = 0;
        double scale = 0;
        for (int b = 0; b < 3; b++) {
            for (int c = 0; c < 3; c++) {
                worst = Math.max(worst, Math.abs(expected[b * 3 + c] - logits[b][c]));
                scale = Math.max(scale, Math.abs(expected[b * 3 + c]));
            }
        }
        assertTrue(scale > 0.1, "logits of a real size: " + scale);
        assertTrue(worst <= 1e-4, "max |BigDL head - ONNX Runtime| " + worst);
    }

    @Test
    void aPaddedSequenceGivesWhatItGivesAlone() throws Exception {
        StudentModel student = StudentModel.fresh(Architecture.parse("32:sep5,mha | 32:ffn,sep3"), 32, 100, 16, 2, 4);
        perturb(student, new Random(8));
        byte[] onnx = StudentOnnx.of(student);
        int[][] padded = {{5, 6, 7, 8, 9, 10}, {11, 12, 13, 0, 0, 0}};
        float[][][] together = run(onnx, padded, new int[2][6], new int[]{6, 3});
        float[][][] alone = run(onnx, new int[][]{{11, 12, 13}}, new int[1][3], new int[]{3});
        for (int t = 0; t < 3; t++) {
            for (int c = 0; c < 32; c++) {
                assertEquals(alone[0][t][c], together[1][t][c], 1e-5, "token " + t + " channel " + c);
            }
        }
    }

    /** Random word ids in the first {@code filled[b]} places of each row of {@code seq}, zeros after. */
    private static int[][] words(Random random, int[] filled, int seq) {
        int[][] ids = new int[filled.length][seq];
        for (int b = 0; b < filled.length; b++) {
            for (int t = 0; t < filled[b]; t++) {
                ids[b][t] = random.nextInt(500);
            }
        }
        return ids;
    }

    /** Every weight moved off its initial value (LayerNorm's ones and zeros included), so a swapped tensor shows. */
    private static void perturb(StudentModel s, Random random) {
        for (Tensor<Float> t : s.namedWeights().values()) {
            float[] d = Tensors.data(t);
            for (int i = Tensors.offset(t); i < Tensors.offset(t) + t.nElement(); i++) {
                d[i] += (float) (0.1 * random.nextGaussian());
            }
        }
    }

    private static float[][][] run(byte[] model, int[][] ids, int[][] types, int[] lengths) throws Exception {
        return (float[][][]) runAll(model, ids, types, lengths)[0];
    }

    /** Every output of the model, in order. */
    private static Object[] runAll(byte[] model, int[][] ids, int[][] types, int[] lengths) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[][] i = new long[ids.length][ids[0].length];
        long[][] m = new long[ids.length][ids[0].length];
        long[][] ty = new long[ids.length][ids[0].length];
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < ids[0].length; t++) {
                i[b][t] = ids[b][t];
                m[b][t] = t < lengths[b] ? 1 : 0;
                ty[b][t] = types[b][t];
            }
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model, options)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, i));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, m));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, ty));
            try (OrtSession.Result result = session.run(inputs)) {
                Object[] out = new Object[result.size()];
                for (int k = 0; k < out.length; k++) {
                    out[k] = result.get(k).getValue();
                }
                return out;
            } finally {
                for (OnnxTensor t : inputs.values()) {
                    t.close();
                }
            }
        }
    }
}
