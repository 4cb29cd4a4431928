package org.nasbert.faults;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.conf.Settings;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.io.RunDirectory;
import org.nasbert.latency.LatencyTable;
import org.nasbert.nn.Dense;
import org.nasbert.search.Constraint;
import org.nasbert.search.SearchSettings;
import org.nasbert.finetune.EvaluateSettings;
import org.nasbert.latency.LatencySettings;
import org.nasbert.space.Architecture;
import org.nasbert.student.DistillSettings;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.supernet.SupernetSettings;
import org.nasbert.tasks.TaskFormat;
import org.nasbert.tasks.TaskReader;
import org.nasbert.teacher.TeacherCheckpoint;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.text.WordPieceVocabulary;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input of every kind the tool reads outside Spark (settings, checkpoints, vocabularies, task TSVs,
 * architectures, latency tables, run directories): each is refused with one message that names the file, record or
 * key and says what was expected, or is skipped and counted, never a bare stack trace. (Corpus records are the
 * tokenize stage's own tests, TokenizeStageTest; killed executors and drivers are ExecutorLossIT and TrainBlocksResumeIT.)
 */
class MalformedInputsTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    File dir;

    /** A case: what is malformed, how it is read, and what the message must name. */
    private DynamicTest refused(String input, Executable read, String... fragments) {
        return DynamicTest.dynamicTest(input, () -> {
            Throwable e = assertThrows(Exception.class, read, input + " is refused");
            String message = String.valueOf(e.getMessage());
            for (String f : fragments) {
                assertTrue(message.contains(f), input + ": the message names '" + f + "': " + message);
            }
            assertFalse(message.contains("\n\tat "), "one message, not a stack trace: " + message);
        });
    }

    @TestFactory
    Stream<DynamicTest> settings() throws IOException {
        File typo = write("typo.properties", "distil.steps = 5\n");
        File badNumber = write("number.properties", "distill.steps = five\n");
        return Stream.of(
                refused("a number that is not one", () -> Settings.defaults().with("distill.steps", "abc", "test")
                        .get(DistillSettings.STEPS), "distill.steps", "abc", "integer"),
                refused("a number out of range", () -> Settings.defaults().with("supernet.checkpoint-every", "0", "test")
                        .get(SupernetSettings.CHECKPOINT_EVERY), "supernet.checkpoint-every", "[1, "),
                refused("a choice outside its values", () -> Settings.defaults().with("distill.objective", "mlm", "test")
                        .get(DistillSettings.OBJECTIVE), "distill.objective", "mlm", "masked-lm"),
                refused("a misspelt key in a settings file", () -> Settings.defaults().withFile(typo.toPath()),
                        "distil.steps", typo.getName()),
                refused("a bad value in a settings file", () -> Settings.defaults().withFile(badNumber.toPath())
                        .get(DistillSettings.STEPS), "distill.steps", "five", badNumber.getName()),
                refused("a negative embedding size", () -> Settings.defaults().with("search.embedding-size", "-64", "test")
                        .get(SearchSettings.EMBEDDING_SIZE), "search.embedding-size", "-64", "[0, "),
                refused("a list of sizes with a word in it", () -> Settings.defaults().with("supernet.hidden-sizes", "128,big", "test")
                        .get(SupernetSettings.HIDDEN_SIZES), "supernet.hidden-sizes", "128,big", "comma-separated integers"),
                refused("a list of sizes with a zero", () -> Settings.defaults().with("supernet.kernels", "3,0", "test")
                        .get(SupernetSettings.KERNELS), "supernet.kernels", "3,0", "[1, "),
                refused("a list of files with an empty entry", () -> Settings.defaults().with("evaluate.files", "dev.tsv,", "test")
                        .get(EvaluateSettings.FILES), "evaluate.files", "dev.tsv,", "non-empty"),
                refused("a device table named twice", () -> Settings.defaults().with("latency.tables", "edge=a.json,edge=b.json",
                        "test").get(LatencySettings.TABLES), "latency.tables", "edge", "twice"),
                refused("device tables not written name=file", () -> Settings.defaults().with("latency.tables", "edge", "test")
                        .get(LatencySettings.TABLES), "latency.tables", "name=<file>"),
                refused("no constraint", () -> Settings.defaults().with("search.constraint", " ; ", "test")
                        .get(SearchSettings.CONSTRAINT), "search.constraint", "no constraint"),
                refused("a constraint without a number", () -> Constraint.parse("params=abc", "search.constraint"),
                        "search.constraint", "params=abc"),
                refused("a constraint of an unknown kind", () -> Constraint.parse("flops<3M", "search.constraint"),
                        "search.constraint", "flops<3M"));
    }

    @TestFactory
    Stream<DynamicTest> checkpoints() throws IOException {
        File missing = new File(dir, "no-such-model");
        File hugeHeader = bytes("huge-header.safetensors", safetensorsWithHeaderLength(1L << 40, "{}"));
        File notJson = bytes("not-json.safetensors", safetensorsWithHeaderLength(8, "{oops}   "));
        File pastEnd = bytes("past-end.safetensors", safetensorsWithHeaderLength(-1,
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}"));
        File badShape = bytes("bad-shape.safetensors", safetensorsWithHeaderLength(-1,
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", new byte[4]));
        File onnx = bytes("garbage.onnx", "this is not a protobuf".getBytes(StandardCharsets.UTF_8));
        File moduleWeights = bytes("weights.safetensors", safetensorsWithHeaderLength(-1,
                "{\"m0.p0\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", new byte[24]));
        File slip = new File(dir, "slip.jar");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(new java.io.FileOutputStream(slip))) {
            for (String entry : new String[]{"model/config.json", "model/../../../../escaped.txt"}) {
                zip.putNextEntry(new java.util.zip.ZipEntry(entry));
                zip.write("{}".getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        FileSystem fs = FileSystem.getLocal(CONF).getRaw();
        return Stream.of(
                DynamicTest.dynamicTest("an archive entry that would be written outside its directory", () -> {
                    String cache = System.getProperty("nasbert.cache.dir");
                    System.setProperty("nasbert.cache.dir", new File(dir, "cache").getPath());
                    try {
                        Throwable e = assertThrows(Exception.class, () -> TeacherCheckpoint.open(slip.getPath() + "!/model", CONF));
                        assertTrue(e.getMessage().contains("../../../../escaped.txt") && e.getMessage().contains("outside"),
                                e.getMessage());
                        // four levels up from the unpacking directory (cache/<key>.tmp-N) is at most dir's parent's parent
                        for (File up = new File(dir, "cache"); up != null && !up.equals(dir.getParentFile().getParentFile().getParentFile());
                             up = up.getParentFile()) {
                            assertFalse(new File(up, "escaped.txt").exists(), "nothing written in " + up);
                        }
                    } finally {
                        if (cache == null) {
                            System.clearProperty("nasbert.cache.dir");
                        } else {
                            System.setProperty("nasbert.cache.dir", cache);
                        }
                    }
                }),
                refused("a teacher that is not there", () -> TeacherCheckpoint.open(missing.getPath(), CONF), missing.getName()),
                refused("a safetensors header longer than the file", () -> SafeTensors.read(fs, new Path(hugeHeader.toURI())),
                        hugeHeader.getName(), "header"),
                refused("a safetensors header that is not JSON", () -> SafeTensors.read(fs, new Path(notJson.toURI())),
                        notJson.getName()),
                refused("a tensor whose data lies past the end", () -> SafeTensors.read(fs, new Path(pastEnd.toURI())),
                        pastEnd.getName(), "w"),
                refused("a tensor whose shape does not match its bytes", () -> SafeTensors.read(fs, new Path(badShape.toURI())),
                        badShape.getName(), "w"),
                refused("an ONNX teacher that is not a model", () -> TeacherCheckpoint.open(onnx.getPath(), CONF), onnx.getName()),
                refused("a checkpoint of another shape", () -> ModuleWeights.read(fs, new Path(moduleWeights.toURI()),
                        Collections.singletonList(new Dense(4, 5, new Random(1)))), moduleWeights.getName(), "m0.p0", "[5, 4]"));
    }

    @TestFactory
    Stream<DynamicTest> vocabularies() throws IOException {
        File empty = write("vocab.txt", "");
        File noModel = write("tokenizer.json", "{\"version\":\"1.0\"}");
        return Stream.of(
                refused("an empty vocab.txt", () -> WordPieceVocabulary.read(new java.io.FileInputStream(empty), empty.getPath(), null),
                        empty.getName()),
                refused("a tokenizer.json without a model", () -> WordPieceVocabulary.read(new java.io.FileInputStream(noModel),
                        noModel.getPath(), null), noModel.getName()));
    }

    @TestFactory
    Stream<DynamicTest> taskFiles() {
        return Stream.of(
                DynamicTest.dynamicTest("rows with too few columns, or a label outside the task's, are skipped and counted "
                        + "with file and line", () -> {
                    String tsv = "sentence\tlabel\na fine film\t1\nno label here\nawful\t7\nquite good\t0\n";
                    TaskReader.Result r = TaskReader.read(new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)),
                            "sst/dev.tsv", TaskFormat.named("sst-2", "test"));
                    assertEquals(2, r.examples.size());
                    assertEquals(2, r.skippedTotal(), r.skipped.toString());
                    assertTrue(String.join("; ", r.problems).contains("sst/dev.tsv:3") && String.join("; ", r.problems)
                            .contains("sst/dev.tsv:4"), r.problems.toString());
                }),
                DynamicTest.dynamicTest("an STS-B score that is not a number is skipped and counted with file and line", () -> {
                    String tsv = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                            + "0\tmain\tf\t2012\t0\tnone\tnone\ta man\ta person\t4.2\n"
                            + "1\tmain\tf\t2012\t1\tnone\tnone\ta cat\ta dog\thigh\n";
                    TaskReader.Result r = TaskReader.read(new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)),
                            "sts/dev.tsv", TaskFormat.named("sts-b", "test"));
                    assertEquals(1, r.examples.size());
                    assertTrue(String.join("; ", r.problems).contains("sts/dev.tsv:3"), r.problems.toString());
                }),
                refused("a pair task whose header lacks a column", () -> TaskReader.read(new ByteArrayInputStream(
                        "index\tsentence1\tlabel\n0\ta\tentailment\n".getBytes(StandardCharsets.UTF_8)), "rte/train.tsv",
                        TaskFormat.named("rte", "test")), "rte/train.tsv", "sentence2"),
                refused("an unknown task format", () -> TaskFormat.named("glue-x", "finetune.format"), "finetune.format", "glue-x"));
    }

    @TestFactory
    Stream<DynamicTest> architectures() throws IOException {
        StudentModel student = StudentModel.fresh(Architecture.parse("16:mha,ffn"), 16, 30, 8, 2, 1);
        File exported = new File(dir, "student");
        StudentExport.write(student, 2, null, new Path(exported.toURI()), CONF);
        File arch = new File(exported, StudentExport.ARCH);
        String good = new String(Files.readAllBytes(arch.toPath()), StandardCharsets.UTF_8);
        return Stream.of(
                refused("an architecture with an unknown op", () -> Architecture.parse("16:mha,conv7"), "conv7"),
                refused("an architecture with a width of zero", () -> Architecture.parse("0:mha,ffn"), "0"),
                refused("architecture JSON that is not JSON", () -> Architecture.fromJson("{\"blocks\": [", "pareto.json"),
                        "pareto.json"),
                refused("arch.json with an unknown op", () -> {
                    Files.write(arch.toPath(), good.replace("\"ffn\"", "\"ffm\"").getBytes(StandardCharsets.UTF_8));
                    StudentExport.read(new Path(exported.toURI()), CONF);
                }, "arch.json", "ffm"),
                refused("arch.json with a negative embedding size", () -> {
                    Files.write(arch.toPath(), good.replaceAll("\"embedding_size\"\\s*:\\s*16", "\"embedding_size\": -16")
                            .getBytes(StandardCharsets.UTF_8));
                    StudentExport.read(new Path(exported.toURI()), CONF);
                }, "arch.json", "embedding_size"),
                refused("a latency table that is not JSON", () -> LatencyTable.fromJson("[1, 2", "table.json"), "table.json"),
                refused("a latency table with a negative time", () -> LatencyTable.fromJson(
                        "{\"units\":\"milliseconds\",\"parts\":{\"mha@16\":{\"median\":-1.0}}}", "table.json"), "table.json", "mha@16",
                        "non-negative"));
    }

    @TestFactory
    Stream<DynamicTest> runDirectories() throws IOException {
        File run = new File(dir, "run");
        File unfinished = new File(run, "search");
        assertTrue(unfinished.mkdirs());
        write("run/search/pareto.json", "{}");
        File corrupt = new File(run, "corpus");
        assertTrue(corrupt.mkdirs());
        write("run/corpus/manifest.json", "{\"stage\": \"tok");
        write("run/corpus/_SUCCESS", "");
        RunDirectory r = new RunDirectory(run.toURI().toString(), CONF);
        return Stream.of(
                refused("an output without _SUCCESS", () -> r.requireComplete("search", "search"), "search", "_SUCCESS"),
                refused("a manifest cut short", () -> r.manifest("corpus"), "corpus", "manifest.json"));
    }

    private File write(String name, String text) throws IOException {
        return bytes(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private File bytes(String name, byte[] content) throws IOException {
        File f = new File(dir, name);
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), content);
        return f;
    }

    /** A safetensors file: 8-byte little-endian header length ({@code length} < 0: the header's own), header, data. */
    private static byte[] safetensorsWithHeaderLength(long length, String header, byte[]... data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int dataBytes = 0;
        for (byte[] d : data) {
            dataBytes += d.length;
        }
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length < 0 ? h.length : length).put(h);
        for (byte[] d : data) {
            b.put(d);
        }
        return b.array();
    }
}
