package org.nasbert.latency;

import org.nasbert.space.Architecture;
import org.nasbert.space.SearchSpace;

import java.io.Serializable;
import java.util.Map;

/**
 * Where a latency table's parts are timed: BigDL's Java modules ({@link LatencyMeter}) or ONNX Runtime running the
 * exported form of each part ({@link OrtLatencyMeter}). The table's conditions name the engine, so tables of
 * different engines are never mixed up.
 */
public interface LatencyEngine extends Serializable {
    String BIGDL = "bigdl";
    String ONNXRUNTIME = "onnxruntime";
    /** The condition that names the engine a table was timed in. */
    String ENGINE = "engine";

    /**
     * Every op at every width of the space, embeddings and head per width, projections between widths; and for an
     * {@code embeddingSize} other than StudentSize.BLOCK_0, embeddings of that size and its projection to every width.
     * The table's conditions are {@code machine} plus the engine, its version, batch, length, threads, runs and date.
     */
    LatencyTable measure(SearchSpace space, int embeddingSize, Map<String, String> machine);

    /**
     * The same engine for students that carry an output projection to {@code width} (0: none): its tables time the
     * projection from every width and record the width ({@link LatencyTable#outputWidth()}); whole students have it.
     */
    LatencyEngine withOutputWidth(int width);

    /** The whole student and each part it is made of, timed side by side (how, each engine says). */
    Comparison compare(Architecture architecture, int embeddingSize);

    /** A whole student's time beside the sum of its parts, timed side by side. */
    final class Comparison {
        public final LatencyTable.Timing whole;
        public final double predictedMs;

        public Comparison(LatencyTable.Timing whole, double predictedMs) {
            this.whole = whole;
            this.predictedMs = predictedMs;
        }
    }
}
