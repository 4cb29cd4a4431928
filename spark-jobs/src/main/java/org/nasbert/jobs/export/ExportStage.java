package org.nasbert.jobs.export;

import org.nasbert.jobs.distill.StudentsManifest;
import org.nasbert.jobs.distill.DistillStage;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;
import org.nasbert.io.StageOutput;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.finetune.StudentEncoder;
import org.nasbert.finetune.TaskHead;
import org.nasbert.jobs.finetune.FinetuneManifest;
import org.nasbert.jobs.finetune.FinetuneStage;
import org.nasbert.jobs.latency.LatencyStage;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.spark.PerModelTasks;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.student.StudentOnnx;
import org.nasbert.text.WordPieceVocabulary;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * export: every distilled student (searched and baseline) as a directory a user can take away, {@code
 * <run>/export/<name>/}: {@code config.json}, {@code model.safetensors}, {@code vocab.txt}, {@code arch.json} and
 * {@code model.onnx} (Hugging Face's BERT layout for BERT-shaped students). Each student is then timed whole on one
 * executor at the latency table's conditions, beside the table's prediction and the sum of its parts timed alongside.
 */
public final class ExportStage implements Stage {
    public static final String OUTPUT = "export";

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "the students as Hugging Face-style directories and ONNX, timed against their predicted latency -> <run>/export";
    }

    @Override
    public String output() {
        return OUTPUT;
    }

    @Override
    public List<Setting<?>> settings() {
        return Collections.emptyList();
    }

    @Override
    public List<Stage> inputs() {
        return Arrays.asList(new TokenizeStage(), new LatencyStage(), new DistillStage());
    }

    /** The fine-tuned models, exported instead of the distilled ones when finetune has run. */
    @Override
    public List<Stage> optionalInputs() {
        return Collections.singletonList(new FinetuneStage());
    }

    /** One student to export: where distill wrote it and, when finetune has run, its fine-tuned directory and outputs. */
    static final class Item implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final String source;
        final String tuned;
        final int outputs;

        Item(String name, String source, String tuned, int outputs) {
            this.name = name;
            this.source = source;
            this.tuned = tuned;
            this.outputs = outputs;
        }
    }

    /** Each fine-tuned model's architecture by name, from finetune's manifest ({@code tuned}, null when it has not finished). */
    private static Map<String, String> tunedArchitectures(FinetuneManifest tuned) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tuned != null) {
            for (FinetuneManifest.Model m : tuned.models) {
                out.put(m.name, m.architecture);
            }
        }
        return out;
    }

    @Override
    public Class<ExportManifest> manifestType() {
        return ExportManifest.class;
    }

    /**
     * Each running task reads a student, writes its Hugging Face files and builds its ONNX graphs in memory (about three
     * copies of its weights); the driver then measures each student's ONNX model in ONNX Runtime, one at a time (about two).
     */
    @Override
    public MemoryNeed memoryNeed(StageContext context) throws Exception {
        List<Long> students = new ArrayList<>();
        for (StudentsManifest.Student s : StudentsManifest.read(context.run()).students) {
            students.add(ModelMemory.weights(s.parameters));
        }
        int atOnce = Math.min(students.size(), ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf()));
        long largest = ModelMemory.largest(students, 1);
        String tasks = atOnce + " student(s) at once, each read, written and converted to ONNX";
        return new MemoryNeed()
                .driver("the largest student's ONNX model in ONNX Runtime", 2 * largest)
                .executor(tasks, 3 * ModelMemory.largest(students, atOnce))
                .local(tasks, 3 * ModelMemory.largest(students, atOnce));
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        StudentsManifest distilled = StudentsManifest.read(context.run());
        FinetuneManifest finetuned = context.run().isComplete(FinetuneStage.OUTPUT) ? FinetuneManifest.read(context.run()) : null;
        List<Item> items = items(context, distilled, finetuned);
        WordPieceVocabulary vocabulary = TokenizeStage.recordedVocabulary(context);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        Broadcast<WordPieceVocabulary> vocab = jsc.broadcast(vocabulary);
        String target = output.temp().toString();
        PerModelTasks.forEach(jsc, "nasbert export: write", items, item -> export(item, vocab.value(), target));
        vocab.destroy();
        ExportLatency latency = ExportLatency.measure(context, output, distilled, vocabulary.size());
        ExportManifest manifest = new ExportManifest();
        for (int i = 0; i < distilled.students.size(); i++) {
            StudentsManifest.Student s = distilled.students.get(i);
            ExportManifest.Student m = new ExportManifest.Student();
            m.name = s.name;
            m.kind = s.kind;
            m.constraint = s.constraint;
            m.architecture = s.architecture;
            m.parameters = s.parameters;
            m.files = files(output, s.name);
            latency.fill(m, s, i, manifest);
            manifest.students.add(m);
        }
        latency.describe(manifest);
        manifest.classifierOnnx = items.stream().anyMatch(item -> item.tuned != null);
        manifest.classifiers = finetuned != null && !finetuned.models.isEmpty() ? "every student finetune trained (same name and "
                + "architecture) on " + finetuned.task + " with its task head: <name>/"
                + StudentOnnx.CLASSIFIER_FILE + " (inputs as model.onnx; outputs last_hidden_state, logits)" : "none: finetune has not run";
        return manifest;
    }

    /** Each student's task: its distilled directory and, when finetune trained a model of its name and architecture, that. */
    private static List<Item> items(StageContext context, StudentsManifest distilled, FinetuneManifest finetuned) {
        Path students = context.run().path(DistillStage.OUTPUT);
        Map<String, String> tunedArchitectures = tunedArchitectures(finetuned);
        int outputs = tunedArchitectures.isEmpty() ? 0 : finetuned.outputs;
        List<Item> items = new ArrayList<>();
        for (StudentsManifest.Student s : distilled.students) {
            // a fine-tuned model of another architecture under the same name is from an earlier distill: not this student
            boolean same = s.architecture.equals(tunedArchitectures.get(s.name));
            items.add(new Item(s.name, new Path(students, s.name).toString(),
                    same ? new Path(context.run().path(FinetuneStage.OUTPUT), s.name).toString() : null, outputs));
        }
        if (items.isEmpty()) {
            throw new NasbertException(students + "/manifest.json lists no student to export");
        }
        return items;
    }

    private static void export(Item item, WordPieceVocabulary vocabulary, String target) throws java.io.IOException {
        Configuration conf = new Configuration();
        Path dir = new Path(target, item.name);
        dir.getFileSystem(conf).delete(dir, true); // a retried task redoes its student
        Path source = new Path(item.source);
        StudentModel student = StudentExport.read(source, conf);
        StudentExport.write(student, StudentExport.ffnRatio(source, conf), vocabulary, dir, conf, true);
        if (item.tuned != null) {
            writeClassifier(new Path(item.tuned), item.outputs, new Path(dir, StudentOnnx.CLASSIFIER_FILE), conf);
        }
    }

    /** The fine-tuned student with its task head as one ONNX model (logits out), as evaluate scores it. */
    private static void writeClassifier(Path tuned, int outputs, Path target, Configuration conf) throws java.io.IOException {
        StudentModel student = StudentExport.read(new Path(tuned, FinetuneStage.STUDENT), conf);
        TaskHead head = new TaskHead(new StudentEncoder(student).width(), outputs, new Random(0));
        FileSystem fs = target.getFileSystem(conf);
        ModuleWeights.read(fs, new Path(tuned, FinetuneStage.HEAD), Collections.singletonList(head.dense()));
        try (FSDataOutputStream out = StudentExport.raw(fs).create(target, false)) {
            out.write(StudentOnnx.withTaskHead(student, head.dense()));
        }
    }

    private static Map<String, Long> files(StageOutput output, String name) throws java.io.IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (FileStatus f : output.fileSystem().listStatus(new Path(output.temp(), name))) {
            out.put(f.getPath().getName(), f.getLen());
        }
        return out;
    }
}
