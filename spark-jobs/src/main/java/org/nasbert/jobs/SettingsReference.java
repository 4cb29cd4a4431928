package org.nasbert.jobs;

import org.nasbert.conf.RunSettings;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.stage.Stage;

import java.util.List;

/**
 * docs/settings.md, generated from the one registry: each stage's declared settings (key, default from
 * conf/nasbert.properties, what is accepted, the doc string). {@code SettingsReferenceTest} fails when the file in
 * docs/ is not this text, and writes the fresh text beside the build for copying.
 */
final class SettingsReference {
    private SettingsReference() {
    }

    static String markdown(List<Stage> pipeline) {
        Settings defaults = Settings.defaults();
        StringBuilder s = new StringBuilder();
        s.append("# Settings reference\n\n")
                .append("Generated from the stages' declared settings and `conf/nasbert.properties` (the defaults); do not edit by hand.\n\n")
                .append("Precedence, later wins: the defaults < `--conf-file FILE` < flags (`--set key=value`, or a stage's own flag such\n")
                .append("as `--max-seq-len 256` for `tokenize.max-seq-len`). Unknown keys and invalid values stop the run before Spark\n")
                .append("starts, naming the key, the value, where it came from and what was expected; every value is logged with its\n")
                .append("origin. A stage reads only the settings listed under it, records them in its manifest and compares them on a\n")
                .append("rerun. Spark's own settings (executors, memory) go to spark-submit, never here.\n\n")
                .append("| key | default | accepted | meaning |\n|---|---|---|---|\n");
        row(s, RunSettings.DIR, defaults);
        for (Stage stage : pipeline) {
            s.append("\n## ").append(stage.name()).append("\n\n").append(stage.summary()).append(". Reads: ")
                    .append(Help.inputs(stage)).append(".\n\n");
            if (stage.settings().isEmpty()) {
                s.append("No settings of its own.\n");
                continue;
            }
            s.append("| key | default | accepted | meaning |\n|---|---|---|---|\n");
            for (Setting<?> setting : stage.settings()) {
                row(s, setting, defaults);
            }
        }
        return s.toString();
    }

    private static void row(StringBuilder s, Setting<?> setting, Settings defaults) {
        s.append("| `").append(setting.key()).append("` | `").append(cell(defaults.raw(setting.key()))).append("` | ")
                .append(cell(setting.expected())).append(" | ").append(cell(setting.doc())).append(" |\n");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
