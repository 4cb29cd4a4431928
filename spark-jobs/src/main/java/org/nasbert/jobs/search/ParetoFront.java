package org.nasbert.jobs.search;

import org.nasbert.search.ArchitectureSearch;
import org.nasbert.space.Architecture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The students no other beats at once on parameters, latency on one device and measured loss (ties count as not beaten). */
final class ParetoFront {
    private ParetoFront() {
    }

    static List<ArchitectureSearch.Proposal> of(List<ArchitectureSearch.Proposal> students, Map<Architecture, Double> loss,
                                                String device) {
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
                if (q != p && dominates(q, p, loss, device)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingLong((ArchitectureSearch.Proposal p) -> p.parameters)
                .thenComparingDouble(p -> p.latencyMsByDevice.get(device)));
        return front;
    }

    private static boolean dominates(ArchitectureSearch.Proposal a, ArchitectureSearch.Proposal b, Map<Architecture, Double> loss,
                                     String device) {
        double la = loss.get(a.architecture);
        double lb = loss.get(b.architecture);
        double ta = a.latencyMsByDevice.get(device);
        double tb = b.latencyMsByDevice.get(device);
        boolean noWorse = a.parameters <= b.parameters && ta <= tb && la <= lb;
        boolean better = a.parameters < b.parameters || ta < tb || la < lb;
        return noWorse && better;
    }
}
