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
import org.nasbert.jobs.search.LatencyCheck;
import org.nasbert.latency.LatencyConditions;
import org.nasbert.latency.LatencyTable;
import org.nasbert.latency.ServedCheck;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.space.Architecture;
import org.nasbert.spark.PerModelTasks;
import org.nasbert.stage.Manifest;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.student.StudentOnnx;
import org.nasbert.text.WordPieceVocabulary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(ExportStage.class);
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

    /** The table's prediction; null when it lacks a part, such as the teacher's embeddings of an inherited student. */
    private static Double predictedMs(LatencyTable table, Architecture a, int embeddingSize) {
        try {
            return table.predictMs(a, embeddingSize);
        } catch (IllegalArgumentException e) {
            LOG.warn("export: no predicted latency for {} with {}-wide embeddings: {}", a, embeddingSize, e.getMessage());
            return null;
        }
    }

    @Override
    public Class<ExportManifest> manifestType() {
        return ExportManifest.class;
    }

    @Override
    public Manifest run(StageContext context, StageOutput output) throws Exception {
        Path students = context.run().path(DistillStage.OUTPUT);
        StudentsManifest distilled = StudentsManifest.read(context.run());
        LatencyTable table = LatencyStage.readTable(context);
        WordPieceVocabulary vocabulary = TokenizeStage.recordedVocabulary(context);
        List<Item> items = new ArrayList<>();
        List<Architecture> architectures = new ArrayList<>();
        List<Integer> embeddings = new ArrayList<>();
        FinetuneManifest finetuned = context.run().isComplete(FinetuneStage.OUTPUT) ? FinetuneManifest.read(context.run()) : null;
        Map<String, String> tunedArchitectures = tunedArchitectures(finetuned);
        boolean tuned = !tunedArchitectures.isEmpty();
        int outputs = tuned ? finetuned.outputs : 0;
        for (StudentsManifest.Student s : distilled.students) {
            String name = s.name;
            // a fine-tuned model of another architecture under the same name is from an earlier distill: not this student
            boolean same = s.architecture.equals(tunedArchitectures.get(name));
            items.add(new Item(name, new Path(students, name).toString(),
                    same ? new Path(context.run().path(FinetuneStage.OUTPUT), name).toString() : null, outputs));
            Architecture a = Architecture.parse(s.architecture);
            architectures.add(a);
            embeddings.add(s.embeddingSize != null ? s.embeddingSize : a.blocks().get(0).hidden());
        }
        if (items.isEmpty()) {
            throw new NasbertException(context.run().path(DistillStage.OUTPUT) + "/manifest.json lists no student to export");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
        Broadcast<WordPieceVocabulary> vocab = jsc.broadcast(vocabulary);
        String target = output.temp().toString();
        PerModelTasks.forEach(jsc, "nasbert export: write", items, item -> export(item, vocab.value(), target));
        vocab.destroy();
        Map<String, LatencyTable> tables = LatencyStage.readTables(context);
        String own = tables.keySet().iterator().next();
        List<ServedLatency.Student> served = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            Architecture a = architectures.get(k);
            served.add(new ServedLatency.Student(items.get(k).name, new Path(target, items.get(k).name).toString(), a,
                    embeddings.get(k), outputWidth(output, items.get(k).name)));
        }
        Map<String, Map<String, ServedCheck.Timed>> inEngine = ServedLatency.time(context, tables, served,
                Integer.parseInt(table.conditions().getOrDefault("runs", "30")), vocabulary.size());
        // a BigDL table measured here: the students rebuilt whole in BigDL, as before ONNX Runtime tables
        List<double[]> timed = inEngine.containsKey(own) ? null : LatencyCheck.run(context, architectures, embeddings);
        ExportManifest manifest = new ExportManifest();
        int i = 0;
        for (StudentsManifest.Student s : distilled.students) {
            ExportManifest.Student m = new ExportManifest.Student();
            m.name = s.name;
            m.kind = s.kind;
            m.constraint = s.constraint;
            m.architecture = s.architecture;
            m.parameters = s.parameters;
            m.files = files(output, s.name);
            m.embeddingSize = embeddings.get(i);
            Double predicted = predictedMs(table, architectures.get(i), embeddings.get(i));
            m.predictedMs = predicted;
            for (Map.Entry<String, Map<String, ServedCheck.Timed>> d : inEngine.entrySet()) {
                ServedCheck.Timed t = d.getValue().get(s.name);
                Double onDevice = ServedCheck.predictedMs(tables.get(d.getKey()), architectures.get(i), embeddings.get(i),
                        served.get(i).outputWidth, t);
                ExportManifest.Served row = servedRow(t, onDevice, tables.get(d.getKey()));
                manifest.overLatencyBudget.addAll(ServedLatency.overBudget(s, d.getKey(), own, t.whole.medianMs, row));
                if (m.servedLatency == null) {
                    m.servedLatency = new LinkedHashMap<>();
                }
                m.servedLatency.put(d.getKey(), row);
                if (d.getKey().equals(own)) {
                    m.predictedMs = row.predictedMs;
                    m.measuredMs = t.whole.medianMs;
                    m.measuredP10Ms = t.whole.p10Ms;
                    m.measuredP90Ms = t.whole.p90Ms;
                    m.runs = t.whole.runs;
                    m.servedFile = t.file;
                    m.tableError = row.error;
                }
            }
            if (timed != null) {
                double[] t = timed.get(i);
                m.measuredMs = t[0];
                m.measuredP10Ms = t[1];
                m.measuredP90Ms = t[2];
                m.runs = (int) t[3];
                m.partsTimedAlongsideMs = t[4];
                if (predicted != null) {
                    m.tableError = (predicted - t[0]) / t[0];
                }
            }
            manifest.students.add(m);
            i++;
        }
        manifest.conditions.putAll(table.conditions());
        manifest.engine = table.engine();
        manifest.timed = inEngine.containsKey(own) ? "every exported ONNX student (classifier.onnx, else model.onnx) whole in "
                + "ONNX Runtime on one executor, under each ONNX Runtime table's batch, length and threads (served_latency per device)"
                : timed != null ? "whole students rebuilt in BigDL on one executor at the table's conditions"
                : "not timed: the latency table was imported (it describes other hardware)";
        manifest.classifierOnnx = items.stream().anyMatch(item -> item.tuned != null);
        manifest.classifiers = tuned ? "every student finetune trained (same name and architecture) on "
                + finetuned.task + " with its task head: <name>/"
                + StudentOnnx.CLASSIFIER_FILE + " (inputs as model.onnx; outputs last_hidden_state, logits)" : "none: finetune has not run";
        return manifest;
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

    /** One device's numbers for one student: the table's prediction, the time measured here, their error. */
    private static ExportManifest.Served servedRow(ServedCheck.Timed t, Double predicted, LatencyTable table) {
        ExportManifest.Served row = new ExportManifest.Served();
        row.engine = table.engine();
        row.file = t.file;
        row.predictedMs = predicted;
        row.measuredMs = t.whole.medianMs;
        row.measuredP10Ms = t.whole.p10Ms;
        row.measuredP90Ms = t.whole.p90Ms;
        row.error = predicted == null ? null : (predicted - t.whole.medianMs) / t.whole.medianMs;
        row.outputProjectionMs = t.outputProjectionMs;
        row.tableCpu = table.conditions().get(LatencyConditions.CPU);
        row.measuredOnCpu = t.cpu;
        row.threads = table.conditions().get(LatencyConditions.THREADS);
        return row;
    }

    private static int outputWidth(StageOutput output, String name) throws java.io.IOException {
        try (java.io.InputStream in = output.fileSystem().open(new Path(new Path(output.temp(), name), "arch.json"))) {
            return org.nasbert.io.Json.MAPPER.readTree(in).path("output_width").asInt(0);
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
