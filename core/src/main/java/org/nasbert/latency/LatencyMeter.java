package org.nasbert.latency;

import com.intel.analytics.bigdl.mkl.MKL;
import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.BertEmbeddings;
import org.nasbert.nn.Dense;
import org.nasbert.nn.Init;
import org.nasbert.nn.LayerNorm;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.space.SearchSpace;
import org.nasbert.space.StudentSize;
import org.nasbert.supernet.OpModules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times the parts of students (inference forward passes of the project's BigDL modules, fresh weights) at one
 * batch, sequence length and MKL thread count: a warm-up, then {@code runs} timed repetitions, median and
 * 10th/90th percentiles recorded. Also times a whole student built from the same parts, to check the table's
 * sums against it.
 */
public final class LatencyMeter implements LatencyEngine {
    private static final long serialVersionUID = 1L;
    private final int batch;
    private final int seq;
    private final int threads;
    private final int warmup;
    private final int runs;
    private final int ffnRatio;
    private final int vocab;
    private int outputWidth;
    private final Random random = new Random(3);
    /** Warm-up time before timing, however many rounds that is. */
    static final long WARMUP_NANOS = 3_000_000_000L;

    public LatencyMeter(int batch, int seq, int threads, int warmup, int runs, int ffnRatio, int vocab) {
        this.batch = batch;
        this.seq = seq;
        this.threads = threads;
        this.warmup = warmup;
        this.runs = runs;
        this.ffnRatio = ffnRatio;
        this.vocab = vocab;
    }

    @Override
    public LatencyMeter withOutputWidth(int width) {
        LatencyMeter m = new LatencyMeter(batch, seq, threads, warmup, runs, ffnRatio, vocab);
        m.outputWidth = width;
        return m;
    }

    /** {@link #measure(SearchSpace, int, Map)} without a separate embedding size. */
    public LatencyTable measure(SearchSpace space, Map<String, String> machine) {
        return measure(space, StudentSize.BLOCK_0, machine);
    }

    @Override
    public LatencyTable measure(SearchSpace space, int embeddingSize, Map<String, String> machine) {
        MKL.setNumThreads(threads);
        Map<String, LatencyTable.Timing> parts = measureParts(space, embeddingSize);
        return new LatencyTable(LatencyConditions.of(machine, BIGDL, BigDl.version(), batch, seq, threads, warmup, runs, outputWidth),
                parts);
    }

    /** Parts are timed round-robin ({@link RoundRobin}). */
    private Map<String, LatencyTable.Timing> measureParts(SearchSpace space, int embeddingSize) {
        Map<String, Stage> stages = new LinkedHashMap<>();
        Map<String, Tensor<Float>> inputs = new LinkedHashMap<>();
        if (embeddingSize != StudentSize.BLOCK_0 && !space.hasWidth(embeddingSize)) {
            Tensor<Float> x = Init.normal(random, 1f, batch, seq, embeddingSize);
            add(stages, inputs, LatencyTable.embeddings(embeddingSize), embeddings(embeddingSize), x);
            for (int to : space.hiddenSizes()) {
                Dense p = projection(embeddingSize, to);
                add(stages, inputs, LatencyTable.projection(embeddingSize, to), p::forward, x);
            }
        }
        for (int h : space.hiddenSizes()) {
            Tensor<Float> x = Init.normal(random, 1f, batch, seq, h);
            for (Op op : space.operations()) {
                add(stages, inputs, LatencyTable.op(op, h), op(op, h), x);
            }
            add(stages, inputs, LatencyTable.embeddings(h), embeddings(h), x);
            add(stages, inputs, LatencyTable.head(h), head(h), x);
            for (int to : space.hiddenSizes()) {
                if (to != h) {
                    Dense p = projection(h, to);
                    add(stages, inputs, LatencyTable.projection(h, to), p::forward, x);
                }
            }
            if (outputWidth != 0) { // the students' output projection (the same part when the width is the space's)
                Dense p = projection(h, outputWidth);
                stages.putIfAbsent(LatencyTable.projection(h, outputWidth), p::forward);
                inputs.putIfAbsent(LatencyTable.projection(h, outputWidth), x);
            }
        }
        if (outputWidth != 0 && !stages.containsKey(LatencyTable.head(outputWidth))) {
            add(stages, inputs, LatencyTable.head(outputWidth), head(outputWidth), Init.normal(random, 1f, batch, seq, outputWidth));
        }
        return roundRobin(stages, inputs);
    }

    private Map<String, LatencyTable.Timing> roundRobin(Map<String, Stage> stages, Map<String, Tensor<Float>> inputs) {
        Map<String, Runnable> work = new LinkedHashMap<>();
        stages.forEach((name, stage) -> work.put(name, () -> stage.run(inputs.get(name))));
        return RoundRobin.time(work, warmup, runs, WARMUP_NANOS);
    }

    private static void add(Map<String, Stage> stages, Map<String, Tensor<Float>> inputs, String name, Stage stage,
                            Tensor<Float> input) {
        stages.put(name, stage);
        inputs.put(name, input);
    }

    /**
     * The whole student and each part it is made of, timed round-robin in the same rounds, so drift of the
     * machine's speed (other tenants, clocks) hits both alike: does the sum of the parts predict the whole?
     */
    @Override
    public Comparison compare(Architecture architecture, int embeddingSize) {
        MKL.setNumThreads(threads);
        Map<String, Stage> stages = new LinkedHashMap<>();
        Map<String, Tensor<Float>> inputs = new LinkedHashMap<>();
        int first = architecture.blocks().get(0).hidden();
        int e = StudentSize.embeddingWidth(embeddingSize, first);
        add(stages, inputs, "whole", whole(architecture, e), Init.normal(random, 1f, batch, seq, first));
        add(stages, inputs, LatencyTable.embeddings(e), embeddings(e), Init.normal(random, 1f, batch, seq, e));
        int previous = e;
        for (BlockPath block : architecture.blocks()) {
            int h = block.hidden();
            Tensor<Float> x = Init.normal(random, 1f, batch, seq, h);
            if (previous != h && !stages.containsKey(LatencyTable.projection(previous, h))) {
                Dense p = projection(previous, h);
                add(stages, inputs, LatencyTable.projection(previous, h), p::forward, Init.normal(random, 1f, batch, seq, previous));
            }
            for (Op op : block.ops()) {
                if (!op.isIdentity() && !stages.containsKey(LatencyTable.op(op, h))) {
                    add(stages, inputs, LatencyTable.op(op, h), op(op, h), x);
                }
            }
            previous = h;
        }
        Map<String, String> conditions = new LinkedHashMap<>();
        if (outputWidth != 0) {
            Dense p = projection(previous, outputWidth);
            stages.putIfAbsent(LatencyTable.projection(previous, outputWidth), p::forward);
            inputs.putIfAbsent(LatencyTable.projection(previous, outputWidth), Init.normal(random, 1f, batch, seq, previous));
            conditions.put(LatencyTable.OUTPUT_WIDTH, "" + outputWidth);
            previous = outputWidth;
        }
        add(stages, inputs, LatencyTable.head(previous), head(previous), Init.normal(random, 1f, batch, seq, previous));
        Map<String, LatencyTable.Timing> timed = roundRobin(stages, inputs);
        LatencyTable.Timing whole = timed.remove("whole");
        return new Comparison(whole, new LatencyTable(conditions, timed).predictMs(architecture, embeddingSize));
    }

    /** The whole student's forward time: embeddings, every block's ops, projections, head, chained. */
    public LatencyTable.Timing measureWhole(Architecture architecture, int embeddingSize) {
        MKL.setNumThreads(threads);
        int first = architecture.blocks().get(0).hidden();
        return time(whole(architecture, StudentSize.embeddingWidth(embeddingSize, first)), first);
    }

    /** Embeddings of {@code embeddingWidth}, then the blocks' ops with a projection wherever the width changes, then the head. */
    private Stage whole(Architecture architecture, int embeddingWidth) {
        List<Stage> stages = new ArrayList<>();
        stages.add(embeddings(embeddingWidth));
        int previous = embeddingWidth;
        for (BlockPath block : architecture.blocks()) {
            int h = block.hidden();
            if (previous != h) {
                Dense p = projection(previous, h);
                stages.add(p::forward);
            }
            for (Op op : block.ops()) {
                if (!op.isIdentity()) {
                    stages.add(op(op, h));
                }
            }
            previous = h;
        }
        if (outputWidth != 0) {
            Dense p = projection(previous, outputWidth);
            stages.add(p::forward);
            previous = outputWidth;
        }
        stages.add(head(previous));
        return x -> {
            Tensor<Float> h = x;
            for (Stage s : stages) {
                h = s.run(h);
            }
            return h;
        };
    }

    private interface Stage {
        Tensor<Float> run(Tensor<Float> x);
    }

    private Tensor<Float> mask() {
        float[] m = new float[batch * seq];
        Arrays.fill(m, 1f);
        return BigDl.tensor(m, batch, seq);
    }

    private Stage op(Op op, int h) {
        Parameterized<Table> module = OpModules.build(op, h, ffnRatio, random);
        Tensor<Float> mask = mask();
        return x -> module.forward(Tensors.table(x, mask));
    }

    /** Token ids in, hidden states out: the input tensor only gives the shape. */
    private Stage embeddings(int h) {
        BertEmbeddings e = new BertEmbeddings(Init.normal(random, 0.02f, vocab, h), Init.normal(random, 0.02f, Math.max(seq, 512), h),
                Init.normal(random, 0.02f, 2, h), new LayerNorm(h, 1e-12f));
        float[] ids = new float[batch * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocab);
        }
        Table input = Tensors.table(BigDl.tensor(ids, batch, seq), BigDl.tensor(new float[batch * seq], batch, seq));
        return x -> e.forward(input);
    }

    private Dense projection(int from, int to) {
        return new Dense(from, to, random);
    }

    /** BERT's pooler (the first token through dense + tanh) and a two-way classifier. */
    private Stage head(int h) {
        Dense pooler = new Dense(h, h, random);
        Dense classifier = new Dense(h, 2, random);
        return x -> {
            Tensor<Float> first = Tensors.dense(x.select(2, 1));
            Tensor<Float> pooled = pooler.forward(first);
            Tensor<Float> t = Tensors.resize(Tensors.empty(), pooled.size()).copy(pooled);
            float[] d = Tensors.data(t);
            for (int i = 0; i < t.nElement(); i++) {
                d[i] = (float) Math.tanh(d[i]);
            }
            return classifier.forward(t);
        };
    }

    private LatencyTable.Timing time(Stage stage, int hidden) {
        Map<String, Stage> stages = new LinkedHashMap<>();
        Map<String, Tensor<Float>> inputs = new LinkedHashMap<>();
        add(stages, inputs, "whole", stage, Init.normal(random, 1f, batch, seq, hidden));
        return roundRobin(stages, inputs).get("whole");
    }
}
