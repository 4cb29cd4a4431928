package org.nasbert.finetune;

import org.nasbert.conf.Setting;

import java.util.List;

/** The settings of the evaluate stage; defaults in conf/nasbert.properties. */
public final class EvaluateSettings {
    public static final Setting<List<String>> FILES = Setting.list("evaluate.files",
            "Comma-separated labelled files to score, relative to the task directory finetune ran on (as it recorded it) or absolute (MNLI: dev_matched.tsv,dev_mismatched.tsv)");
    public static final Setting<Integer> RESAMPLES = Setting.intInRange("evaluate.resamples",
            "Bootstrap resamples of the examples behind each score's 95% interval and each paired comparison", 100, 1_000_000);

    private EvaluateSettings() {
    }
}
