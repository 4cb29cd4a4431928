package org.nasbert.jobs.fidelity;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.io.RunDirectory;
import org.nasbert.stage.Manifest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <run>/fidelity/manifest.json}: how many students were distilled alone and how each predictor's ranking of them
 * correlates with their standalone loss; the students themselves are in fidelity.json.
 */
public final class FidelityManifest extends Manifest {
    @JsonProperty("students_distilled")
    public int studentsDistilled;
    /** Predictor (search_score, predicted_loss, parameters, calibrated_block_losses) -> Kendall's tau with its interval. */
    @JsonProperty("kendall_tau")
    public Map<String, Correlation> kendallTau = new LinkedHashMap<>();
    @JsonProperty("spearman_rho")
    public Map<String, Correlation> spearmanRho = new LinkedHashMap<>();

    /** A rank correlation, its percentile-bootstrap 95% interval (null when undefined: a constant side). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Correlation {
        public Double estimate;
        public Double low;
        public Double high;
        @JsonProperty("resamples_left_out")
        public int resamplesLeftOut;

        @Override
        public String toString() {
            return estimate == null ? "undefined" : String.format("%+.2f [%+.2f, %+.2f]", estimate, low, high);
        }
    }

    public static FidelityManifest read(RunDirectory run) throws IOException {
        return run.manifest(FidelityStage.OUTPUT, FidelityManifest.class);
    }

    @Override
    public String headline(String output) {
        StringBuilder s = new StringBuilder(String.format("%d students distilled alone; rank correlation with their held-out loss "
                + "(bootstrap 95%% interval):", studentsDistilled));
        for (String p : new String[]{"search_score", "predicted_loss", "parameters", "calibrated_block_losses"}) {
            if (kendallTau.containsKey(p)) {
                s.append(String.format("%n             %-23s tau %s, rho %s", p, kendallTau.get(p), spearmanRho.get(p)));
            }
        }
        return s.append(String.format("%n             %s/fidelity.json", output)).toString();
    }
}
