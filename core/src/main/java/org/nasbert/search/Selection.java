package org.nasbert.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The chosen candidate of every block, with the summed loss and costs. */
public final class Selection {
    private final List<Candidate> chosen;
    private final double loss;
    private final long[] costs;

    private Selection(List<Candidate> chosen, double loss, long[] costs) {
        this.chosen = Collections.unmodifiableList(chosen);
        this.loss = loss;
        this.costs = costs;
    }

    static Selection of(List<List<Candidate>> blocks, ConstrainedSearch.Combo left, ConstrainedSearch.Combo right) {
        List<Candidate> chosen = new ArrayList<>();
        for (int n = 0; n < left.choices.length; n++) {
            chosen.add(blocks.get(n).get(left.choices[n]));
        }
        for (int n = 0; n < right.choices.length; n++) {
            chosen.add(blocks.get(left.choices.length + n).get(right.choices[n]));
        }
        double loss = 0;
        long[] costs = new long[left.costs.length];
        for (Candidate c : chosen) {
            loss += c.loss;
            for (int d = 0; d < costs.length; d++) {
                costs[d] += c.costs[d];
            }
        }
        return new Selection(chosen, loss, costs);
    }

    public List<Candidate> chosen() {
        return chosen;
    }

    public double loss() {
        return loss;
    }

    public long cost(int dimension) {
        return costs[dimension];
    }
}
