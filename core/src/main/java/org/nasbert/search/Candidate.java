package org.nasbert.search;

import java.util.Arrays;

/** One block's candidate path as the search sees it: its block loss and its integer costs (parameters, latency ns). */
public final class Candidate {
    final String id;
    final double loss;
    final long[] costs;

    public Candidate(String id, double loss, long... costs) {
        for (long c : costs) {
            if (c < 0) {
                throw new IllegalArgumentException("candidate " + id + ": negative cost " + Arrays.toString(costs));
            }
        }
        if (Double.isNaN(loss)) {
            throw new IllegalArgumentException("candidate " + id + ": loss is NaN");
        }
        this.id = id;
        this.loss = loss;
        this.costs = costs.clone();
    }

    public String id() {
        return id;
    }

    public double loss() {
        return loss;
    }

    public long cost(int dimension) {
        return costs[dimension];
    }
}
