package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.stage.StageResult;

import java.io.PrintStream;
import java.util.List;

/** What a run prints on stdout: each stage's output and its headline numbers. */
final class Summary {
    private Summary() {
    }

    static void print(PrintStream out, String command, List<StageResult> results, double seconds) {
        out.printf("nasbert %s: done in %.1f s%n", command, seconds);
        for (StageResult result : results) {
            out.printf("  %-10s %s%s%n", result.stage, result.output, result.skipped ? "   (already finished; --force redoes it)" : "");
            out.println("             " + headline(result));
        }
    }

    private static String headline(StageResult result) {
        JsonNode m = result.manifest;
        if ("tokenize".equals(result.stage)) {
            JsonNode c = m.path("counts");
            long skippedTotal = 0;
            for (JsonNode n : m.path("skipped")) {
                skippedTotal += n.asLong();
            }
            return String.format("%,d sequences of <= %d tokens, %,d tokens from %,d documents in %,d files (%,d skipped records); "
                            + "Parquet: %s/data, manifest: %s/manifest.json",
                    c.path("sequences").asLong(), m.path("max_seq_len").asInt(), c.path("tokens").asLong(),
                    c.path("documents").asLong(), c.path("files").asLong(), skippedTotal, result.output, result.output);
        }
        if ("teacher".equals(result.stage)) {
            JsonNode t = m.path("teacher");
            String model = String.format("%s teacher, %d layers, hidden %d, %,d weights; boundaries after layers %s",
                    t.path("format").asText(), t.path("layers").asInt(), t.path("hidden_size").asInt(),
                    t.path("parameters").asLong(), m.path("boundaries"));
            if (!m.path("materialized").asBoolean()) {
                return model + "; states computed on the fly by training; manifest: " + result.output + "/manifest.json";
            }
            JsonNode c = m.path("counts");
            return String.format("%s;%n             %,d sequences (%,d held out), %,d tokens, %s states, %,d MB (estimated %,d MB); "
                            + "Parquet: %s/data",
                    model, c.path("sequences").asLong(), c.path("held_out_sequences").asLong(), c.path("tokens").asLong(),
                    m.path("precision").asText(), m.path("bytes_written").asLong() >> 20, m.path("bytes_estimated").asLong() >> 20,
                    result.output);
        }
        return "manifest: " + result.output + "/manifest.json";
    }
}
