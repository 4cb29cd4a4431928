package org.nasbert.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Progressive shrinking's bins (NAS-BERT 3.2.2): with the largest path's parameters P and latency L, bin b of B
 * (1-based) holds the paths with {@code (b-1)/B * P < p <= b/B * P} and {@code (b-1)/B * L < l <= b/B * L}, so
 * small paths compete only with small ones; a path whose latency falls in another bin than its parameters fits
 * none and is dropped. After each epoch a bin keeps the better half of a sample of its paths, down to m.
 */
public final class SizeBins {
    private SizeBins() {
    }

    /** A path as pruning sees it: an id, its parameters and its latency (any unit, the same for all). */
    public static final class Sized<T> {
        public final T path;
        public final long parameters;
        public final double latency;

        public Sized(T path, long parameters, double latency) {
            if (parameters < 0 || !(latency >= 0)) {
                throw new IllegalArgumentException(path + ": parameters " + parameters + " and latency " + latency
                        + " must be non-negative");
            }
            this.path = path;
            this.parameters = parameters;
            this.latency = latency;
        }
    }

    /** The paths of each bin (index 0 = bin 1, the smallest); paths that fit no bin are in none. */
    public static <T> List<List<Sized<T>>> assign(List<Sized<T>> paths, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        }
        long maxParams = 0;
        double maxLatency = 0;
        for (Sized<T> p : paths) {
            maxParams = Math.max(maxParams, p.parameters);
            maxLatency = Math.max(maxLatency, p.latency);
        }
        List<List<Sized<T>>> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            out.add(new ArrayList<>());
        }
        for (Sized<T> p : paths) {
            int byParams = bin(p.parameters, maxParams, bins);
            int byLatency = bin(p.latency, maxLatency, bins);
            if (byParams == byLatency) {
                out.get(byParams).add(p);
            }
        }
        return out;
    }

    /** 0-based bin of value in (0, max] cut into equal parts; 0 goes to the first bin. */
    static int bin(double value, double max, int bins) {
        if (max <= 0 || value <= 0) {
            return 0;
        }
        // bin b (1-based) holds (b-1)/B*max < value <= b/B*max
        int b = (int) Math.ceil(value * bins / max);
        return Math.min(bins, Math.max(1, b)) - 1;
    }

    /**
     * One pruning round in one bin: score a sample of at most {@code sample} paths (all if fewer) and drop the
     * worse half of the sample (the higher losses), never going below {@code keep} paths; unsampled paths stay.
     */
    public static <T> List<Sized<T>> prune(List<Sized<T>> bin, int sample, int keep, ToDoubleFunction<Sized<T>> loss,
                                           Random random) {
        if (bin.size() <= keep) {
            return bin;
        }
        List<Sized<T>> sampled = sample(bin, sample, random);
        double[] scores = new double[sampled.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = loss.applyAsDouble(sampled.get(i));
        }
        return dropWorst(bin, sampled, scores, keep);
    }

    /** The paths a round scores: {@code sample} of them drawn without replacement, or all if fewer. */
    public static <T> List<Sized<T>> sample(List<Sized<T>> bin, int sample, Random random) {
        List<Sized<T>> shuffled = new ArrayList<>(bin);
        Collections.shuffle(shuffled, random);
        return new ArrayList<>(shuffled.subList(0, Math.min(sample, shuffled.size())));
    }

    /**
     * The bin without the worse half of the scored sample ({@code scores[i]} belongs to {@code sampled[i]}), never
     * below {@code keep} paths; ties keep the earlier-sampled path.
     */
    public static <T> List<Sized<T>> dropWorst(List<Sized<T>> bin, List<Sized<T>> sampled, double[] scores, int keep) {
        if (bin.size() <= keep) {
            return bin;
        }
        Integer[] order = new Integer[sampled.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        int drop = Math.min(sampled.size() / 2, bin.size() - keep);
        Set<Sized<T>> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = order.length - drop; i < order.length; i++) {
            dropped.add(sampled.get(order[i]));
        }
        List<Sized<T>> survivors = new ArrayList<>();
        for (Sized<T> p : bin) {
            if (!dropped.contains(p)) {
                survivors.add(p);
            }
        }
        return survivors;
    }

    /** A bin's size after one round: the worse half of a sample of {@code sample} dropped, never below {@code keep}. */
    public static int afterRound(int size, int sample, int keep) {
        return size <= keep ? size : size - Math.min(Math.min(sample, size) / 2, size - keep);
    }

    /** Rounds until a bin of {@code size} paths is down to {@code keep}, sampling {@code sample} per round. */
    public static int roundsToKeep(int size, int sample, int keep) {
        if (sample < 2 || keep < 1) {
            throw new IllegalArgumentException("a round needs a sample of at least 2 and keep >= 1, got " + sample + " and " + keep);
        }
        int rounds = 0;
        while (size > keep) {
            size = afterRound(size, sample, keep);
            rounds++;
        }
        return rounds;
    }
}
