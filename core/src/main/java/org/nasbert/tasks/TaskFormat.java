package org.nasbert.tasks;

import org.nasbert.NasbertException;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Where a downstream task's TSV keeps its texts and label, in the layout GLUE distributes (glue_data/&lt;TASK&gt;/train.tsv,
 * dev.tsv; MNLI dev_matched.tsv and dev_mismatched.tsv): tab-separated, no quoting (a quote is a character), a header
 * naming the columns except CoLA's and the generic {@code text<TAB>label}. Columns are found by header name where
 * there is a header, so MNLI's dev files (five annotator labels before gold_label) read like its train file.
 */
public enum TaskFormat {
    COLA("cola", false, new int[]{3}, null, 1, Arrays.asList("0", "1"), Metric.MATTHEWS),
    SST2("sst-2", true, null, new String[]{"sentence"}, "label", Arrays.asList("0", "1"), Metric.ACCURACY),
    MRPC("mrpc", true, null, new String[]{"#1 String", "#2 String"}, "Quality", Arrays.asList("0", "1"), Metric.ACCURACY, Metric.F1),
    STSB("sts-b", true, null, new String[]{"sentence1", "sentence2"}, "score", null, Metric.PEARSON, Metric.SPEARMAN),
    QQP("qqp", true, null, new String[]{"question1", "question2"}, "is_duplicate", Arrays.asList("0", "1"), Metric.ACCURACY, Metric.F1),
    MNLI("mnli", true, null, new String[]{"sentence1", "sentence2"}, "gold_label",
            Arrays.asList("contradiction", "entailment", "neutral"), Metric.ACCURACY),
    QNLI("qnli", true, null, new String[]{"question", "sentence"}, "label", Arrays.asList("entailment", "not_entailment"),
            Metric.ACCURACY),
    RTE("rte", true, null, new String[]{"sentence1", "sentence2"}, "label", Arrays.asList("entailment", "not_entailment"),
            Metric.ACCURACY),
    WNLI("wnli", true, null, new String[]{"sentence1", "sentence2"}, "label", Arrays.asList("0", "1"), Metric.ACCURACY),
    /** {@code text<TAB>label}, no header; labels are whatever strings occur (sorted). */
    GENERIC("tsv", false, new int[]{0}, null, 1, null, Metric.ACCURACY);

    /** GLUE's metrics. */
    public enum Metric { ACCURACY, F1, MATTHEWS, PEARSON, SPEARMAN }

    final String key;
    final boolean header;
    final int[] textColumns;
    final String[] textNames;
    final int labelColumn;
    final String labelName;
    final List<String> labels;
    final List<Metric> metrics;

    TaskFormat(String key, boolean header, int[] textColumns, String[] textNames, int labelColumn, List<String> labels,
               Metric... metrics) {
        this(key, header, textColumns, textNames, labelColumn, null, labels, metrics);
    }

    TaskFormat(String key, boolean header, int[] textColumns, String[] textNames, String labelName, List<String> labels,
               Metric... metrics) {
        this(key, header, textColumns, textNames, -1, labelName, labels, metrics);
    }

    TaskFormat(String key, boolean header, int[] textColumns, String[] textNames, int labelColumn, String labelName,
               List<String> labels, Metric... metrics) {
        this.key = key;
        this.header = header;
        this.textColumns = textColumns;
        this.textNames = textNames;
        this.labelColumn = labelColumn;
        this.labelName = labelName;
        this.labels = labels == null ? null : Collections.unmodifiableList(labels);
        this.metrics = Collections.unmodifiableList(Arrays.asList(metrics));
    }

    /** Regression (STS-B's similarity score) rather than classification. */
    public boolean regression() {
        return labels == null && this != GENERIC;
    }

    /** The fixed label set, index = class id; null for regression and for the generic format. */
    public List<String> labels() {
        return labels;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** Sentence pairs (MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI) or single sentences. */
    public boolean pairs() {
        return (textNames != null ? textNames.length : textColumns.length) == 2;
    }

    public String key() {
        return key;
    }

    /** By GLUE's directory name or ours, case-insensitive: CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI, tsv. */
    public static TaskFormat named(String name, String source) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace("_", "-");
        for (TaskFormat f : values()) {
            if (f.key.equals(n) || f.key.replace("-", "").equals(n.replace("-", ""))) {
                return f;
            }
        }
        throw new NasbertException(source + ": unknown task format '" + name + "'; expected one of cola, sst-2, mrpc, sts-b, qqp, "
                + "mnli, qnli, rte, wnli or tsv (text<TAB>label)");
    }
}
