package org.nasbert.jobs.search;

import org.nasbert.search.ArchitectureSearch;
import org.nasbert.space.Architecture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The students no other beats at once on parameters, latency and measured loss (ties count as not beaten). */
final class ParetoFront {
    private ParetoFront() {
    }

    static List<ArchitectureSearch.Proposal> of(List<ArchitectureSearch.Proposal> students, Map<Architecture, Double> loss) {
        List<ArchitectureSearch.Proposal> distinct = new ArrayList<>();
        for (ArchitectureSearch.Proposal p : students) {
            if (distinct.stream().noneMatch(q -> q.architecture.equals(p.architecture))) {
                distinct.add(p);
            }
        }
        List<ArchitectureSearch.Proposal> front = new ArrayList<>();
        for (ArchitectureSearch.Proposal p : distinct) {
            boolean dominated = false;
            for (ArchitectureSearch.Proposal q : distinct) {
                if (q != p && dominates(q, p, loss)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingLong((ArchitectureSearch.Proposal p) -> p.parameters).thenComparingDouble(p -> p.latencyMs));
        return front;
    }

    private static boolean dominates(ArchitectureSearch.Proposal a, ArchitectureSearch.Proposal b, Map<Architecture, Double> loss) {
        double la = loss.get(a.architecture);
        double lb = loss.get(b.architecture);
        boolean noWorse = a.parameters <= b.parameters && a.latencyMs <= b.latencyMs && la <= lb;
        boolean better = a.parameters < b.parameters || a.latencyMs < b.latencyMs || la < lb;
        return noWorse && better;
    }
}
