package org.nasbert.teacher;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.testing.TestData;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MiniLM written as a Hugging Face directory reads back identically, and an independent reader agrees on its bytes. */
class HuggingFaceRoundTripTest {
    private static TeacherCheckpoint original;

    @BeforeAll
    static void load() {
        original = TeacherCheckpoint.open(TestData.MINILM_MODEL, new Configuration());
    }

    @Test
    void exportedDirectoryLoadsBackToTheSameModel(@TempDir File dir) {
        Path target = new Path(dir.toURI().toString(), "minilm-hf");
        HuggingFaceExport.write(original.weights(), TestData.minilmVocabulary(), target, new Configuration());
        TeacherCheckpoint copy = TeacherCheckpoint.open(target.toString(), new Configuration());

        assertEquals(TeacherCheckpoint.Format.HUGGING_FACE, copy.format());
        assertEquals(original.config().toString(), copy.config().toString());
        // the sizes a memory estimate reads before loading: config.json here, the graph of an ONNX file without one
        assertEquals(original.config().toString(), TeacherCheckpoint.configWithoutWeights(target.toString(), new Configuration()).toString());
        assertEquals(original.config().toString(), TeacherCheckpoint.configWithoutWeights(TestData.MINILM_MODEL, new Configuration()).toString());
        List<WeightTensor> a = original.weights().all();
        List<WeightTensor> b = copy.weights().all();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertArrayEquals(a.get(i).shape(), b.get(i).shape());
            assertArrayEquals(a.get(i).data(), b.get(i).data(), 0f, a.get(i).name());
        }
        assertTrue(copy.vocabulary().endsWith("vocab.txt"));

        int[][] ids = {{101, 7592, 2088, 102, 0}, {101, 2009, 2003, 1037, 102}};
        int[] lengths = {4, 5};
        Tensor<Float> x = new BertModel(original.weights()).forward(ids, null, lengths, 99, false).hidden.get(6);
        Tensor<Float> y = new BertModel(copy.weights()).forward(ids, null, lengths, 99, false).hidden.get(6);
        // the weights are bit-identical (above); MKL's kernels may round differently from call to call on some CPUs
        // (seen on AMD EPYC: 6e-7), so the outputs agree to float rounding
        float[] xs = org.nasbert.nn.Tensors.copyOf(x);
        float[] ys = org.nasbert.nn.Tensors.copyOf(y);
        assertEquals(xs.length, ys.length);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            worst = Math.max(worst, Math.abs(xs[i] - ys[i]));
        }
        assertTrue(worst <= 1e-5, "max |diff| " + worst);

        assertThrows(NasbertException.class, () -> HuggingFaceExport.write(original.weights(), null, target, new Configuration()),
                "an existing export is never overwritten");
    }

    @Test
    void anIndependentPythonReaderSeesTheSameTensors(@TempDir File dir) throws Exception {
        Path target = new Path(dir.toURI().toString(), "minilm-hf");
        HuggingFaceExport.write(original.weights(), TestData.minilmVocabulary(), target, new Configuration());
        File script = new File(dir, "read_safetensors.py");
        Files.copy(getClass().getResourceAsStream("read_safetensors.py"), script.toPath());
        Process p = new ProcessBuilder("python3", script.getPath(), new File(dir, "minilm-hf/model.safetensors").getPath())
                .redirectErrorStream(true).start();
        Map<String, String[]> lines = new HashMap<>();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                String[] f = line.split("\t");
                lines.put(f[0], f);
            }
        }
        assertEquals(0, p.waitFor(), all.toString());
        List<WeightTensor> tensors = original.weights().all();
        assertEquals(tensors.size(), lines.size());
        for (WeightTensor t : tensors) {
            String[] f = lines.get(t.name());
            assertEquals("F32", f[1], t.name());
            StringBuilder shape = new StringBuilder();
            for (int d : t.shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            assertEquals(shape.toString(), f[2], t.name());
            double sum = 0;
            for (float v : t.data()) {
                sum += v;
            }
            assertEquals(Double.parseDouble(f[3]), sum, 1e-6 * Math.max(1, Math.abs(sum)), t.name());
            String[] first = f[4].split(" ");
            for (int i = 0; i < first.length; i++) {
                assertEquals((double) t.data()[i], Double.parseDouble(first[i]), 0.0, t.name() + "[" + i + "]");
            }
        }
    }
}
