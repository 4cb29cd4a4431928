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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One labelled file of the task, read on the driver and tokenized with the teacher's vocabulary. */
final class TaskData {
    final String file;
    final List<EncodedExample> examples;
    /** Class names (index = label id); null for regression. */
    final List<String> labels;
    final TaskReader.Result read;

    private TaskData(String file, List<EncodedExample> examples, List<String> labels, TaskReader.Result read) {
        this.file = file;
        this.examples = examples;
        this.labels = labels;
        this.read = read;
    }

    static TaskFormat format(StageContext context) {
        return TaskFormat.named(context.get(FinetuneSettings.FORMAT), "finetune.format");
    }

    /** {@code name} inside finetune.task, unless it is a path or URI of its own. */
    static String resolve(StageContext context, String name) {
        String n = name.trim();
        if (n.startsWith("/") || n.contains(":")) {
            return n;
        }
        return new Path(context.get(FinetuneSettings.TASK), n).toString();
    }

    static TaskData read(StageContext context, String file, TaskFormat format, WordPieceVocabulary vocabulary) throws IOException {
        TaskReader.Result result;
        try (InputStream in = new ResourceLocator(context.hadoopConf()).open(file)) {
            result = TaskReader.read(in, file, format);
        }
        WordPieceTokenizer tokenizer = WordPieceTokenizer.forVocabulary(vocabulary);
        int maxLength = context.get(FinetuneSettings.MAX_LENGTH);
        List<EncodedExample> examples = new ArrayList<>(result.examples.size());
        for (TaskExample e : result.examples) {
            examples.add(EncodedExample.of(e, tokenizer, maxLength));
        }
        return new TaskData(file, examples, result.labels, result);
    }

    /** The same classes, in the same order, as the training file's (label ids must mean the same thing). */
    void requireLabels(List<String> trained) {
        if (labels != null && trained != null && !trained.containsAll(labels)) {
            throw new NasbertException(file + " has labels " + labels + ", the models were fine-tuned on " + trained);
        }
    }

    /** Re-maps label ids to the training file's order (a file missing a class numbers the rest differently). */
    List<EncodedExample> relabeled(List<String> trained) {
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

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("examples", examples.size());
        m.put("skipped", read.skipped);
        if (!read.problems.isEmpty()) {
            m.put("first_problems", read.problems);
        }
        return m;
    }
}
