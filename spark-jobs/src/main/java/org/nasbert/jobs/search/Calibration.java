package org.nasbert.jobs.search;

import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.search.ArchitectureSearch;
import org.nasbert.search.SearchSettings;
import org.nasbert.stage.StageContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fidelity stage's least-squares fit of standalone distillation loss to the blocks' losses: an intercept and a
 * weight per block. Ranking by it instead of the plain sum is how a search calibrated on a few students trained alone
 * (DONNA's predictor) orders the rest. The intercept is folded into block 0 so that a student's summed candidate
 * scores are the loss the fit predicts for it; the search stays exact because the score is still a sum over blocks.
 */
final class Calibration {
    /** fidelity's output directory and file (named here rather than imported: fidelity is a later stage of the pipeline). */
    static final String OUTPUT = "fidelity";
    static final String FILE = "fidelity.json";
    private final double[] weights;

    private Calibration(double[] weights) {
        this.weights = weights;
    }

    static Calibration read(StageContext context, int blocks) throws IOException {
        String key = SearchSettings.RANK_BY.key() + " = calibrated";
        if (!context.run().isComplete(OUTPUT)) {
            throw new NasbertException(key + " ranks by the fidelity stage's calibration, but " + context.run().path(OUTPUT)
                    + " is not finished; run 'bin/nasbert fidelity --run " + context.run().root() + "' first");
        }
        Path file = new Path(context.run().path(OUTPUT), FILE);
        double[] w = org.nasbert.jobs.fidelity.FidelityFile.read(context.run()).calibrationWeights;
        int size = w == null ? 0 : w.length;
        if (size != blocks + 1) {
            throw new NasbertException(key + ", but " + file + (size == 0 ? " has no calibration_weights (too few students to fit: "
                    + "set fidelity.architectures to at least " + (blocks + 3) + " and redo fidelity)"
                    : " has " + size + " calibration weights for a supernet of " + blocks + " blocks (intercept + one per block "
                    + "expected); redo fidelity"));
        }
        return new Calibration(w);
    }

    /** Each candidate's loss replaced by its weighted loss (block 0's plus the intercept). */
    List<List<ArchitectureSearch.Scored>> weigh(List<List<ArchitectureSearch.Scored>> blocks) {
        List<List<ArchitectureSearch.Scored>> out = new ArrayList<>();
        for (int n = 0; n < blocks.size(); n++) {
            List<ArchitectureSearch.Scored> list = new ArrayList<>();
            for (ArchitectureSearch.Scored s : blocks.get(n)) {
                list.add(new ArchitectureSearch.Scored(s.path, (n == 0 ? weights[0] : 0) + weights[n + 1] * s.loss));
            }
            out.add(list);
        }
        return out;
    }
}
