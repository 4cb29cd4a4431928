package org.nasbert.jobs;

import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.stage.Stage;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The text of --help: stages, general options, each stage's options with their defaults. */
final class Help {
    private Help() {
    }

    static void general(PrintStream out, List<Stage> stages) {
        out.println("usage: bin/nasbert <stage> [options]");
        out.println();
        out.println("NAS-BERT on Spark: compress a BERT teacher into several searched students at once.");
        out.println();
        out.println("stages:");
        for (Stage stage : stages) {
            out.printf("  %-12s %s%n", stage.name(), stage.summary());
        }
        out.printf("  %-12s %s%n", NasbertMain.PIPELINE, "every stage above in order for one run directory: finished stages are "
                + "skipped, an interrupted one resumes");
        out.printf("  %-12s %s%n", NasbertMain.DEMO, "the pipeline on the embedded default (conf/demo-profile.properties), run directory runs/demo");
        out.println();
        options(out);
        for (Stage stage : stages) {
            out.println();
            stageOptions(out, stage);
        }
    }

    static void stage(PrintStream out, Stage stage) {
        out.println("usage: bin/nasbert " + stage.name() + " [options]");
        out.println();
        out.println(stage.summary());
        out.println();
        options(out);
        out.println();
        stageOptions(out, stage);
    }

    static void options(PrintStream out) {
        out.println("options of every stage:");
        row(out, "--run DIR", "run directory, local or hdfs:// (setting run.dir; default "
                + Settings.defaults().raw("run.dir") + ", demo: runs/demo)");
        row(out, "--conf-file FILE", "settings file laid over conf/nasbert.properties");
        row(out, "--set KEY=VALUE", "any setting (repeatable); flags and --set win over --conf-file");
        row(out, "--force", "redo the stage even if its output is finished");
        row(out, "--master URL", "Spark master; local[N] runs in this process, anything else via spark-submit");
        row(out, "-h, --help", "this text");
    }

    private static void stageOptions(PrintStream out, Stage stage) {
        out.println(stage.name() + " reads: " + inputs(stage));
        out.println(stage.name() + " options (default in brackets):");
        Settings defaults = Settings.defaults();
        for (Setting<?> setting : stage.settings()) {
            row(out, CommandLine.flag(setting) + " " + setting.key().substring(setting.key().indexOf('.') + 1)
                    .toUpperCase().replace('-', '_').replaceAll(".*_", ""), setting.doc() + " ["
                    + defaults.raw(setting.key()) + "]");
        }
    }

    /** The stages whose outputs it reads, e.g. "tokenize, teacher; fidelity when finished". */
    static String inputs(Stage stage) {
        List<String> names = new ArrayList<>();
        stage.inputs().forEach(s -> names.add(s.name()));
        String required = names.isEmpty() ? "nothing of the run" : String.join(", ", names);
        names.clear();
        stage.optionalInputs().forEach(s -> names.add(s.name()));
        return names.isEmpty() ? required : required + "; " + String.join(", ", names) + " when finished";
    }

    private static void row(PrintStream out, String left, String right) {
        if (left.length() > 24) {
            out.printf("  %s%n  %-24s %s%n", left, "", right);
        } else {
            out.printf("  %-24s %s%n", left, right);
        }
    }
}
