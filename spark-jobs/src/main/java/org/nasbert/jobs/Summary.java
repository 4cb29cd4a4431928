package org.nasbert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.engine.Machine;
import org.nasbert.stage.StageResult;

import java.io.PrintStream;
import java.util.List;

/** What a run prints on stdout: each stage's output and its headline numbers. */
final class Summary {
    private Summary() {
    }

    static void print(PrintStream out, String command, List<StageResult> results, double seconds) {
        out.printf("nasbert %s: done in %.1f s%n", command, seconds);
        out.printf("  %-10s %s%n", "machine", Machine.summary());
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
        if ("train-blocks".equals(result.stage)) {
            StringBuilder s = new StringBuilder(String.format("%,d steps, %s paths per block; held-out block loss of %d sampled paths "
                            + "(mean at init -> trained; copy-the-input baseline; paths beating it):",
                    m.path("steps").asLong(), m.path("space").path("paths_per_block").asText(),
                    m.path("evaluation").path(0).path("paths_evaluated").asInt()));
            int n = 0;
            for (JsonNode b : m.path("evaluation")) {
                s.append(String.format("%n               block %d: %s -> %.4f; copy %.4f; %d of %d", n++,
                        b.has("mean_loss_at_init") ? String.format("%.4f", b.path("mean_loss_at_init").asDouble()) : "(resumed)",
                        b.path("mean_loss").asDouble(), b.path("copy_input_loss").asDouble(),
                        b.path("paths_beating_copy_input").asInt(), b.path("paths_evaluated").asInt()));
            }
            JsonNode k = m.path("shrinking");
            s.append(String.format("%n             shrinking: %d of %d paths per block in %d bins, %d rounds after %d warm-up epochs of %d "
                            + "steps -> candidates per block %s%s", k.path("paths_per_block").asInt() - k.path("deleted_outside_bins").asInt(),
                    k.path("paths_per_block").asInt(), k.path("bins").asInt(), k.path("rounds").asInt(), k.path("warmup_epochs").asInt(),
                    m.path("steps_per_epoch").asInt(), k.path("candidates_per_block"),
                    k.path("finished").asBoolean() ? "" : " (NOT finished: supernet.steps ran out first)"));
            return s.append(String.format("%n             candidates: %s/candidates.json, history: %s/shrinking, weights: %s/weights.safetensors, "
                    + "TensorBoard: %s/tensorboard", result.output, result.output, result.output, result.output)).toString();
        }
        if ("latency".equals(result.stage)) {
            JsonNode c = m.path("conditions");
            String mkl = c.has("mkl_code_path") ? ", MKL " + c.path("mkl_code_path").asText() : "";
            return String.format("%d parts (%s), batch %s x %s tokens, %s thread(s), %s runs each, on %s (%s%s); table: %s/table.json",
                    m.path("parts").asInt(), m.path("source").asText(), c.path("batch").asText(), c.path("sequence_length").asText(),
                    c.path("threads").asText(), c.path("runs").asText(), c.path("host").asText(), c.path("cpu").asText(), mkl,
                    result.output);
        }
        if ("search".equals(result.stage)) {
            StringBuilder s = new StringBuilder(String.format("%d students scored whole, %d on the Pareto front; chosen:",
                    m.path("students_evaluated").asInt(), m.path("pareto_front").asInt()));
            for (JsonNode c : m.path("chosen")) {
                s.append(String.format("%n               %s", c.asText()));
            }
            if (m.path("latency_median_abs_error").isNumber()) {
                s.append(String.format("%n             chosen students built whole and timed: median |error| of the predicted latency %.1f%%",
                        100 * m.path("latency_median_abs_error").asDouble()));
            }
            return s.append(String.format("%n             %s/pareto.json", result.output)).toString();
        }
        if ("fidelity".equals(result.stage)) {
            StringBuilder s = new StringBuilder(String.format("%d students distilled alone; rank correlation with their held-out loss "
                    + "(bootstrap 95%% interval):", m.path("students_distilled").asInt()));
            for (String p : new String[]{"search_score", "predicted_loss", "parameters", "calibrated_block_losses"}) {
                if (!m.path("kendall_tau").has(p)) {
                    continue;
                }
                JsonNode t = m.path("kendall_tau").path(p);
                JsonNode r = m.path("spearman_rho").path(p);
                s.append(String.format("%n             %-23s tau %s, rho %s", p, interval(t), interval(r)));
            }
            return s.append(String.format("%n             %s/fidelity.json", result.output)).toString();
        }
        if ("distill".equals(result.stage)) {
            StringBuilder s = new StringBuilder(String.format("%d students on %,d sequences; held-out distillation loss at init -> after:",
                    m.path("students").size(), m.path("training_sequences").asLong()));
            for (JsonNode st : m.path("students")) {
                s.append(String.format("%n               %-12s %-9s %-26s %,11d parameters  %.4f -> %.4f  %s", st.path("name").asText(),
                        st.path("kind").asText(), st.path("constraint").asText(), st.path("parameters").asLong(),
                        st.path("held_out_loss_at_init").asDouble(), st.path("held_out_loss").asDouble(), st.path("architecture").asText()));
            }
            return s.append(String.format("%n             %s/<name>/ (arch.json, model.safetensors)", result.output)).toString();
        }
        if ("finetune".equals(result.stage)) {
            StringBuilder s = new StringBuilder(String.format("%s (%s), %,d training examples; training loss first -> last epoch:",
                    m.path("task").asText(), m.path("format").asText(), m.path("train").path("examples").asInt()));
            for (JsonNode t : m.path("models")) {
                JsonNode l = t.path("epoch_losses");
                s.append(String.format("%n               %-12s %-9s %.4f -> %.4f  (%.0f s)", t.path("name").asText(), t.path("kind").asText(),
                        l.path(0).asDouble(), l.path(l.size() - 1).asDouble(), t.path("seconds").asDouble()));
            }
            return s.append(String.format("%n             %s/<name>/", result.output)).toString();
        }
        if ("export".equals(result.stage)) {
            boolean classifiers = m.path("classifier_onnx").asBoolean();
            boolean served = "onnxruntime".equals(m.path("engine").asText());
            StringBuilder s = new StringBuilder(String.format("%d students (config.json, model.safetensors, vocab.txt, arch.json, "
                    + "model.onnx%s); latency at %s x %s tokens, %s thread(s) in ms, %s:", m.path("students").size(),
                    classifiers ? ", classifier.onnx with the task head" : "", m.path("conditions").path("batch").asText(),
                    m.path("conditions").path("sequence_length").asText(), m.path("conditions").path("threads").asText(),
                    served ? "predicted by the table / the exported ONNX file measured in ONNX Runtime"
                            : "predicted by the table / sum of the parts timed alongside / whole"));
            for (JsonNode st : m.path("students")) {
                String timed = !st.has("measured_ms") ? "not timed (imported table)"
                        : served ? String.format("%7.3f (table %+.0f%%)", st.path("measured_ms").asDouble(), 100 * st.path("table_error").asDouble())
                        : String.format("%7.3f / %7.3f (table %+.0f%%)", st.path("parts_timed_alongside_ms").asDouble(),
                        st.path("measured_ms").asDouble(), 100 * st.path("table_error").asDouble());
                s.append(String.format("%n               %-12s %-9s %,11d parameters  %7.3f / %s", st.path("name").asText(),
                        st.path("kind").asText(), st.path("parameters").asLong(), st.path("predicted_ms").asDouble(), timed));
            }
            for (JsonNode over : m.path("over_latency_budget")) {
                s.append(String.format("%n             OVER ITS LATENCY BUDGET: %s", over.asText()));
            }
            return s.append(String.format("%n             %s/<name>/", result.output)).toString();
        }
        if ("report".equals(result.stage)) {
            return reportTable(m) + String.format("%n             %s/report.md (charts: %s)", result.output,
                    m.path("charts").size() == 0 ? "not drawn: " + m.path("charts_not_drawn").asText() : m.path("charts").size() + " PNG");
        }
        if ("evaluate".equals(result.stage)) {
            return scoreTable(m) + String.format("%n             %s/metrics.json", result.output);
        }
        return "manifest: " + result.output + "/manifest.json";
    }

    /** Per constraint: the searched student and its baseline side by side, and the teacher's score. */
    static String reportTable(JsonNode m) {
        StringBuilder s = new StringBuilder(String.format("per constraint: searched student vs same-budget baseline; %s, teacher %s",
                m.path("score").asText(), m.path("teacher_score").isNumber() ? String.format("%.4f", m.path("teacher_score").asDouble()) : "-"));
        s.append(String.format("%n               %-12s %-11s %10s %12s %8s %7s | %-11s %10s %8s %7s", "constraint", "", "params",
                "pred/meas ms", "loss", "score", "", "params", "ms", "score"));
        for (JsonNode row : m.path("rows")) {
            JsonNode a = row.path("searched");
            JsonNode b = row.path("baseline");
            s.append(String.format("%n               %-12s %-11s %,10d %5s/%-6s %8s %7s | %-11s %s", row.path("constraint").asText(),
                    a.path("name").asText(), a.path("parameters").asLong(), fixed(a.path("predicted_ms"), 2), fixed(a.path("measured_ms"), 2),
                    fixed(a.path("distill_loss"), 4), fixed(a.path("score"), 4), b.isObject() ? b.path("name").asText() : "-",
                    b.isObject() ? String.format("%,10d %8s %7s", b.path("parameters").asLong(), fixed(b.path("measured_ms"), 2),
                            fixed(b.path("score"), 4)) : ""));
            s.append(String.format("%n                 %s", a.path("architecture").asText()));
        }
        return s.toString();
    }

    private static String fixed(JsonNode n, int digits) {
        return n.isNumber() ? String.format("%." + digits + "f", n.asDouble()) : "-";
    }

    /** Per model: kind, constraint, parameters and each file's metrics; teacher first, then as fine-tuned. */
    static String scoreTable(JsonNode m) {
        StringBuilder s = new StringBuilder(String.format("%s, %d models:", m.path("task").asText(), m.path("models").size()));
        for (JsonNode row : m.path("models")) {
            StringBuilder scores = new StringBuilder();
            row.path("metrics").fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(x -> {
                JsonNode ci = row.path("intervals").path(f.getKey()).path(x.getKey());
                scores.append(String.format("  %s %s %.4f%s", f.getKey(), x.getKey(), x.getValue().asDouble(), ci.isObject()
                        ? String.format(" [%.4f, %.4f]", ci.path("low").asDouble(), ci.path("high").asDouble()) : ""));
            }));
            s.append(String.format("%n               %-12s %-9s %-14s %12s%s", row.path("name").asText(), row.path("kind").asText(),
                    row.path("constraint").asText(), row.has("parameters") ? String.format("%,d", row.path("parameters").asLong()) : "",
                    scores));
        }
        if (m.path("comparisons").size() > 0) {
            s.append(String.format("%n             searched - baseline on the same examples (95%% interval; p; at p < 0.05):"));
        }
        for (JsonNode c : m.path("comparisons")) {
            s.append(String.format("%n               %-12s vs %-12s %s %s %+.4f [%+.4f, %+.4f]  p %.3g  %s", c.path("searched").asText(),
                    c.path("baseline").asText(), c.path("file").asText(), c.path("metric").asText(), c.path("difference").asDouble(),
                    c.path("low").asDouble(), c.path("high").asDouble(), c.path("p").asDouble(), c.path("verdict").asText()));
        }
        return s.toString();
    }

    private static String interval(JsonNode m) {
        return m.path("estimate").isNumber() ? String.format("%+.2f [%+.2f, %+.2f]", m.path("estimate").asDouble(), m.path("low").asDouble(),
                m.path("high").asDouble()) : "undefined";
    }
}
