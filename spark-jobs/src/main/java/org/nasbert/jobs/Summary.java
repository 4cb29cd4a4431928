package org.nasbert.jobs;

import org.nasbert.engine.Machine;
import org.nasbert.stage.StageResult;

import java.io.PrintStream;
import java.util.List;

/** What a run prints on stdout: each stage's output and its headline, which the stage's manifest class writes. */
final class Summary {
    private Summary() {
    }

    static void print(PrintStream out, String command, List<StageResult> results, double seconds) {
        out.printf("nasbert %s: done in %.1f s%n", command, seconds);
        out.printf("  %-10s %s%n", "machine", Machine.summary());
        for (StageResult result : results) {
            out.printf("  %-10s %s%s%n", result.stage, result.output, result.skipped ? "   (already finished; --force redoes it)" : "");
            out.println("             " + result.typed.headline(result.output.toString()));
        }
    }
}
