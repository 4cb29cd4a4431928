package org.nasbert.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.Op;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.TeacherCheckpoint;

import java.io.File;
import java.nio.file.Files;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exported students: a BERT-shaped one loads as a Hugging Face BERT and computes the same; any one reads back identically. */
class StudentExportTest {
    @TempDir
    java.nio.file.Path temp;

    private static final int[] LENGTHS = {12, 7};

    private static int[][] ids() {
        Random random = new Random(6);
        int[][] ids = new int[2][12];
        for (int[] row : ids) {
            for (int t = 0; t < row.length; t++) {
                row[t] = random.nextInt(1000);
            }
        }
        return ids;
    }

    private static double maxDiff(Tensor<Float> a, Tensor<Float> b, int width) {
        Tensor<Float> x = Tensors.dense(a);
        Tensor<Float> y = Tensors.dense(b);
        double max = 0;
        for (int r = 0; r < 2; r++) {
            for (int t = 0; t < LENGTHS[r]; t++) {
                for (int c = 0; c < width; c++) {
                    int i = (r * 12 + t) * width + c;
                    max = Math.max(max, Math.abs(Tensors.data(x)[Tensors.offset(x) + i] - Tensors.data(y)[Tensors.offset(y) + i]));
                }
            }
        }
        return max;
    }

    /** As if trained: no weight keeps its initial value (zero biases, unit LayerNorm scales would hide swapped names). */
    private static StudentModel perturbed(StudentModel s) {
        Random noise = new Random(12);
        for (Tensor<Float> t : s.namedWeights().values()) {
            float[] d = Tensors.data(t);
            for (int i = 0; i < t.nElement(); i++) {
                d[Tensors.offset(t) + i] += (float) (0.05 * noise.nextGaussian());
            }
        }
        return s;
    }

    @Test
    void aUniformStudentIsAHuggingFaceBertThatComputesTheSame() throws Exception {
        StudentModel student = perturbed(StudentModel.fresh(Baselines.uniform(2, 128), 128, 1000, 64, 4, 3));
        assertTrue(StudentExport.bertShaped(student));
        // a Spark task receives the architecture through Java serialization: its ops are copies of Op.MHA and Op.FFN
        Architecture copied = org.apache.commons.lang3.SerializationUtils.roundtrip(Baselines.uniform(2, 128));
        assertTrue(copied.blocks().get(0).ops().get(0) != Op.MHA, "a copy, not the constant");
        assertTrue(StudentExport.bertShaped(StudentModel.fresh(copied, 128, 1000, 64, 4, 3)), "a deserialized uniform architecture");
        File dir = new File(temp.toFile(), "bert-student");
        StudentExport.write(student, 4, null, new Path(dir.toURI()), new Configuration());
        assertTrue(new File(dir, "config.json").isFile() && new File(dir, "model.safetensors").isFile());
        BertModel asBert = new BertModel(TeacherCheckpoint.open(dir.getPath(), new Configuration()).weights());
        Tensor<Float> bert = asBert.statesAfter(ids(), null, LENGTHS, new int[]{2}).get(0);
        Tensor<Float> ours = student.infer(ids(), null, LENGTHS);
        double diff = maxDiff(bert, ours, 128);
        assertTrue(diff <= 1e-5, "max |BertModel - student| = " + diff);
        StudentModel back = StudentExport.read(new Path(dir.toURI()), new Configuration());
        assertSameWeights(student, back);
        assertTrue(maxDiff(back.infer(ids(), null, LENGTHS), ours, 128) <= 1e-5, "read back, the same outputs to float rounding");
        assertFalse(new File(temp.toFile(), ".bert-student.crc").exists());
    }

    @Test
    void anyStudentReadsBackWithIdenticalOutputs() throws Exception {
        Architecture a = Architecture.parse("64:mha,sep3 | 128:ffn,id | 128:sep5,mha");
        StudentModel student = perturbed(StudentModel.fresh(a, 48, 1000, 64, 4, 9, 40));
        assertFalse(StudentExport.bertShaped(student));
        File dir = new File(temp.toFile(), "student");
        StudentExport.write(student, 4, null, new Path(dir.toURI()), new Configuration());
        JsonNode arch = Json.MAPPER.readTree(new File(dir, StudentExport.ARCH));
        assertEquals("nasbert-student", arch.path("format").asText());
        assertEquals(student.parameterCount(), arch.path("parameters").asLong());
        StudentModel back = StudentExport.read(new Path(dir.toURI()), new Configuration());
        assertEquals(a, back.architecture());
        assertSameWeights(student, back);
        assertTrue(maxDiff(back.infer(ids(), null, LENGTHS), student.infer(ids(), null, LENGTHS), 40) <= 1e-5,
                "read back, the same outputs to float rounding");

        NasbertException exists = assertThrows(NasbertException.class,
                () -> StudentExport.write(student, 4, null, new Path(dir.toURI()), new Configuration()));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());

        byte[] bytes = Files.readAllBytes(new File(dir, StudentExport.WEIGHTS).toPath());
        Files.write(new File(dir, StudentExport.WEIGHTS).toPath(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Exception truncated = assertThrows(Exception.class, () -> StudentExport.read(new Path(dir.toURI()), new Configuration()));
        assertTrue(String.valueOf(truncated.getMessage()).contains(StudentExport.WEIGHTS), truncated.getMessage());
    }

    /**
     * Bit for bit. (Outputs are compared to float rounding only: MKL's kernels may round differently from call to call on
     * some CPUs, seen on AMD EPYC at 7e-7.)
     */
    private static void assertSameWeights(StudentModel expected, StudentModel actual) {
        java.util.Map<String, Tensor<Float>> a = expected.namedWeights();
        java.util.Map<String, Tensor<Float>> b = actual.namedWeights();
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(org.nasbert.nn.Tensors.copyOf(a.get(name)),
                    org.nasbert.nn.Tensors.copyOf(b.get(name)), 0f, name);
        }
    }
}
