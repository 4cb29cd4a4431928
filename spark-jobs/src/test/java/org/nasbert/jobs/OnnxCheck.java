package org.nasbert.jobs;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.apache.hadoop.conf.Configuration;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.finetune.StudentEncoder;
import org.nasbert.finetune.TaskHead;
import org.nasbert.nn.Tensors;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** An exported student run two ways: read back into BigDL, and its model.onnx (or classifier.onnx) by ONNX Runtime. */
final class OnnxCheck {
    private static final int[] LENGTHS = {24, 11, 17};
    private static final int SEQ = 24;

    private OnnxCheck() {
    }

    /** Max |difference| of the logits: the fine-tuned student and head from {@code tuned} in BigDL, classifier.onnx by ONNX Runtime. */
    static double classifierDifference(Path exported, Path tuned, int outputs) throws Exception {
        Configuration conf = new Configuration();
        StudentModel student = StudentExport.read(new org.apache.hadoop.fs.Path(tuned.resolve("student").toUri()), conf);
        TaskHead head = new TaskHead(new StudentEncoder(student).width(), outputs, new Random(0));
        org.apache.hadoop.fs.Path headFile = new org.apache.hadoop.fs.Path(tuned.resolve("head.safetensors").toUri());
        ModuleWeights.read(headFile.getFileSystem(conf), headFile, java.util.Collections.singletonList(head.dense()));
        int[][] ids = ids();
        float[] expected = Tensors.copyOf(head.forward(student.infer(ids, null, LENGTHS), LENGTHS));
        float[][] actual = (float[][]) run(exported.resolve("classifier.onnx"), ids)[1];
        double worst = 0;
        for (int b = 0; b < LENGTHS.length; b++) {
            for (int c = 0; c < outputs; c++) {
                worst = Math.max(worst, Math.abs(expected[b * outputs + c] - actual[b][c]));
            }
        }
        return worst;
    }

    /** Word ids on the real tokens of a padded batch, zeros after. */
    private static int[][] ids() {
        Random random = new Random(1);
        int[][] ids = new int[LENGTHS.length][SEQ];
        for (int b = 0; b < LENGTHS.length; b++) {
            for (int t = 0; t < LENGTHS[b]; t++) {
                ids[b][t] = 1000 + random.nextInt(20000);
            }
        }
        return ids;
    }

    /** Every output of the ONNX model on {@code ids}, padded as LENGTHS says. */
    private static Object[] run(Path model, int[][] ids) throws Exception {
        long[][] i = new long[ids.length][SEQ];
        long[][] m = new long[ids.length][SEQ];
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < LENGTHS[b]; t++) {
                i[b][t] = ids[b][t];
                m[b][t] = 1;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(Files.readAllBytes(model), options)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, i));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, m));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[ids.length][SEQ]));
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

    /** Max |difference| over the real tokens of a padded batch. */
    static double maxDifference(Path exported) throws Exception {
        StudentModel student = StudentExport.read(new org.apache.hadoop.fs.Path(exported.toUri()), new Configuration());
        int[][] ids = ids();
        float[] expected = Tensors.copyOf(student.infer(ids, null, LENGTHS));
        float[][][] actual = (float[][][]) run(exported.resolve("model.onnx"), ids)[0];
        int width = actual[0][0].length;
        double worst = 0;
        for (int b = 0; b < LENGTHS.length; b++) {
            for (int t = 0; t < LENGTHS[b]; t++) {
                for (int c = 0; c < width; c++) {
                    worst = Math.max(worst, Math.abs(expected[(b * SEQ + t) * width + c] - actual[b][t][c]));
                }
            }
        }
        return worst;
    }
}
