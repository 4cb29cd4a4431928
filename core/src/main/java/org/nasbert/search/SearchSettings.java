package org.nasbert.search;

import org.nasbert.conf.Setting;

import java.util.List;

/** The search stage's settings; defaults (the paper's numbers) and docs in conf/nasbert.properties. */
public final class SearchSettings {
    public static final Setting<List<Constraint>> CONSTRAINT = Setting.parsed("search.constraint",
            "Constraints on the whole student, ';'-separated, each params=<count>, latency=<time> or both joined by ',' "
                    + "(e.g. params=10M;params=10M,latency=8ms)", "constraints such as params=10M;latency=8ms",
            text -> Constraint.parseAll(text, "search.constraint"));
    public static final Setting<Integer> TOP = Setting.intInRange("search.top",
            "Students of least predicted loss re-evaluated whole on held-out data per constraint (the paper's T)", 1, 100_000);
    public static final Setting<Integer> EVAL_SEQUENCES = Setting.intInRange("search.eval-sequences",
            "Held-out sequences the re-evaluation runs on", 1, 1 << 24);

    public static final Setting<Integer> EMBEDDING_SIZE = Setting.intInRange("search.embedding-size",
            "Width of the searched students' embedding tables, projected to block 0's hidden size (0 = block 0's hidden size, "
                    + "as BERT); counted in their parameters and latency, measured by the latency stage", 0, 1 << 16);

    public static final Setting<String> RANK_BY = Setting.oneOf("search.rank-by",
            "What ranks the students: supernet (top T by the sum of block losses, the best of them by the whole student's "
                    + "supernet score) or calibrated (the block losses weighted by the fidelity stage's least-squares fit to standalone "
                    + "distillation, top T and the chosen one alike)", "supernet", "calibrated");

    private SearchSettings() {
    }
}
