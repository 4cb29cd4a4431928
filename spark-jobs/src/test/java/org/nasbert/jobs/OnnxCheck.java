package org.nasbert.jobs;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.apache.hadoop.conf.Configuration;
import org.nasbert.nn.Tensors;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** An exported student run two ways: read back into BigDL, and its model.onnx by ONNX Runtime. */
final class OnnxCheck {
    private OnnxCheck() {
    }

    /** Max |difference| over the real tokens of a padded batch. */
    static double maxDifference(Path exported) throws Exception {
        StudentModel student = StudentExport.read(new org.apache.hadoop.fs.Path(exported.toUri()), new Configuration());
        int[] lengths = {24, 11, 17};
        int seq = 24;
        Random random = new Random(1);
        int[][] ids = new int[3][seq];
        long[][] i = new long[3][seq];
        long[][] m = new long[3][seq];
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                ids[b][t] = 1000 + random.nextInt(20000);
                i[b][t] = ids[b][t];
                m[b][t] = 1;
            }
        }
        float[] expected = Tensors.copyOf(student.infer(ids, null, lengths));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(Files.readAllBytes(exported.resolve("model.onnx")), options)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, i));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, m));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, new long[3][seq]));
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] actual = (float[][][]) result.get(0).getValue();
                int width = actual[0][0].length;
                double worst = 0;
                for (int b = 0; b < 3; b++) {
                    for (int t = 0; t < lengths[b]; t++) {
                        for (int c = 0; c < width; c++) {
                            worst = Math.max(worst, Math.abs(expected[(b * seq + t) * width + c] - actual[b][t][c]));
                        }
                    }
                }
                return worst;
            } finally {
                for (OnnxTensor t : inputs.values()) {
                    t.close();
                }
            }
        }
    }
}
