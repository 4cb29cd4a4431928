package org.nasbert.jobs.finetune;

import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.finetune.EncodedExample;
import org.nasbert.finetune.FinetuneSettings;
import org.nasbert.io.ResourceLocator;
import org.nasbert.stage.StageContext;
import org.nasbert.tasks.TaskExample;
import org.nasbert.tasks.TaskFormat;
import org.nasbert.tasks.TaskReader;
import org.nasbert.text.WordPieceTokenizer;
import org.nasbert.text.WordPieceVocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** One labelled file of the task, read on the driver and tokenized with the teacher's vocabulary. */
public final class TaskData {
    public final String file;
    public final List<EncodedExample> examples;
    /** Class names (index = label id); null for regression. */
    public final List<String> labels;
    public final TaskReader.Result read;

    private TaskData(String file, List<EncodedExample> examples, List<String> labels, TaskReader.Result read) {
        this.file = file;
        this.examples = examples;
        this.labels = labels;
        this.read = read;
    }

    public static TaskFormat format(StageContext context) {
        return TaskFormat.named(context.get(FinetuneSettings.FORMAT), "finetune.format");
    }

    /** {@code name} inside the task directory (finetune.task), unless it is a path or URI of its own. */
    public static String resolve(String task, String name) {
        String n = name.trim();
        if (n.startsWith("/") || n.contains(":")) {
            return n;
        }
        return new Path(task, n).toString();
    }

    /** The file's lines (an upper bound of its examples), counted without decoding it. */
    public static long lines(StageContext context, String file) throws IOException {
        long lines = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    lines += buffer[i] == '\n' ? 1 : 0;
                }
            }
        }
        return lines + 1;
    }

    public static TaskData read(StageContext context, String file, TaskFormat format, WordPieceVocabulary vocabulary, int maxLength)
            throws IOException {
        TaskReader.Result result;
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(file)) {
            result = TaskReader.read(in, file, format);
        }
        WordPieceTokenizer tokenizer = WordPieceTokenizer.forVocabulary(vocabulary);
        List<EncodedExample> examples = new ArrayList<>(result.examples.size());
        for (TaskExample e : result.examples) {
            examples.add(EncodedExample.of(e, tokenizer, maxLength));
        }
        return new TaskData(file, examples, result.labels, result);
    }

    /** The same classes, in the same order, as the training file's (label ids must mean the same thing). */
    public void requireLabels(List<String> trained) {
        if (labels != null && trained != null && !trained.containsAll(labels)) {
            throw new NasbertException(file + " has labels " + labels + ", the models were fine-tuned on " + trained);
        }
    }

    /** Re-maps label ids to the training file's order (a file missing a class numbers the rest differently). */
    public List<EncodedExample> relabeled(List<String> trained) {
        if (labels == null || labels.equals(trained)) {
            return examples;
        }
        requireLabels(trained);
        List<EncodedExample> out = new ArrayList<>(examples.size());
        for (EncodedExample e : examples) {
            out.add(new EncodedExample(e.ids, e.types, trained.indexOf(labels.get(e.label)), e.score, e.origin));
        }
        return out;
    }

    public FinetuneManifest.TaskFile describe() {
        FinetuneManifest.TaskFile m = new FinetuneManifest.TaskFile();
        m.file = file;
        m.examples = examples.size();
        m.skipped = read.skipped;
        if (!read.problems.isEmpty()) {
            m.firstProblems = read.problems;
        }
        return m;
    }
}
