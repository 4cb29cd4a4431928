package org.nasbert.jobs.distill;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.conf.Settings;
import org.nasbert.io.Json;
import org.nasbert.jobs.FixedLatencyTable;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.jobs.search.SearchStage;
import org.nasbert.jobs.trainblocks.TrainBlocksStage;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageRunner;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.HuggingFaceExport;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.testing.LocalSpark;
import org.nasbert.testing.TestData;
import org.nasbert.testing.TinyBert;

import java.io.File;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * distill with a teacher that has a masked-LM head (distill.objective = auto): every student, searched and baseline, gets
 * BERT's head tied to its word table and learns the teacher's masked-LM distributions in its Spark task; the students
 * are written with their heads (a uniform one as a Hugging Face BertForMaskedLM).
 */
class DistillMaskedLmTest {
    private static SparkSession spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    @Test
    void aTeacherWithAMaskedLmHeadIsDistilledByItsMaskedLmOutputs() throws Exception {
        File teacher = temp.resolve("teacher").toFile();
        // a 2-layer BERT of width 32 over the MiniLM vocabulary, random weights
        HuggingFaceExport.write(TinyBert.withHead(new BertConfig(30522, 32, 2, 2, 64, 512, 2, 1e-12f), new Random(5), 0.2),
                TestData.minilmVocabulary(),
                new org.apache.hadoop.fs.Path(teacher.toURI()), new Configuration());
        String table = FixedLatencyTable.write(temp.resolve("table.json"), new int[]{32}, new int[]{3}).toString();
        String[][] values = {
                {"run.dir", temp.resolve("run").toString()}, {"tokenize.input", TestData.mobyDick().toString()},
                {"teacher.model", teacher.toString()}, {"teacher.sequences", "80"}, {"teacher.states", "materialize"}, {"teacher.held-out", "0.2"},
                {"supernet.blocks", "2"}, {"supernet.hidden-sizes", "32"}, {"supernet.kernels", "3"},
                {"supernet.layers-per-block", "2"}, {"supernet.steps", "2"}, {"supernet.batch-size", "8"}, {"supernet.micro-batch", "4"},
                {"supernet.eval-paths", "3"}, {"supernet.checkpoint-every", "2"}, {"supernet.partitions", "2"},
                {"latency.import", table}, {"prune.eval-sequences", "8"}, {"search.top", "2"}, {"search.eval-sequences", "8"},
                {"search.constraint", "params=2M,latency=1000ms"}, {"distill.steps", "16"}, {"distill.batch-size", "4"},
                {"distill.learning-rate", "0.003"}, {"distill.eval-sequences", "8"}, {"distill.checkpoint-every", "0"}};
        Settings settings = Settings.defaults();
        for (String[] kv : values) {
            settings = settings.with(kv[0], kv[1], "test");
        }
        StageRunner.run(new TokenizeStage(), settings, spark, false);
        StageRunner.run(new TeacherStage(), settings, spark, false);
        StageRunner.run(new LatencyStage(), settings, spark, false);
        StageRunner.run(new TrainBlocksStage(), settings, spark, false);
        StageRunner.run(new SearchStage(), settings, spark, false);
        JsonNode manifest = StageRunner.run(new DistillStage(), settings, spark, false).manifest;

        assertEquals("masked-lm", manifest.path("objective").asText());
        JsonNode students = manifest.path("students");
        // the searched student and its equal-parameters and equal-latency baselines (one student when they coincide); the
        // latency budget is the constraint's, so the latency baseline does not hang on which student a near tie picked
        java.util.Set<String> roles = new java.util.TreeSet<>();
        int searched = 0;
        for (JsonNode s : students) {
            searched += "searched".equals(s.path("kind").asText()) ? 1 : 0;
            s.path(DistillStage.BASELINE_FOR).forEach(r -> roles.add(r.asText()));
        }
        assertEquals(1, searched, students.toString());
        assertEquals(java.util.Arrays.asList("latency", "parameters"), new java.util.ArrayList<>(roles), students.toString());
        boolean sawBert = false;
        for (JsonNode s : students) {
            double before = s.path("held_out_loss_at_init").asDouble();
            double after = s.path("held_out_loss").asDouble();
            // a fresh student is near uniform over 30,522 pieces; the random teacher is not
            assertTrue(before > 0.5 && after < before - 0.1, s.path("name") + ": held-out KL " + before + " -> " + after);
            File dir = temp.resolve("run").resolve(DistillStage.OUTPUT).resolve(s.path("name").asText()).toFile();
            JsonNode arch = Json.MAPPER.readTree(new File(dir, "arch.json"));
            assertTrue(arch.path("mlm_head").asBoolean(), s.path("name") + " is written with its head: " + arch);
            if ("huggingface-bert".equals(arch.path("format").asText())) {
                sawBert = true;
                assertTrue(TeacherCheckpoint.open(dir.toString(), new Configuration()).weights().hasMlmHead(),
                        "a uniform student is a BertForMaskedLM");
            }
        }
        assertTrue(sawBert, "the baselines are BERT-shaped: " + students);
    }
}
