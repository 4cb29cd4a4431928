package org.nasbert.finetune;

import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.utils.Table;
import org.nasbert.engine.BigDl;
import org.nasbert.nn.Parameterized;
import org.nasbert.nn.Tensors;
import org.nasbert.nn.TokenBatch;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.BertWeights;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The teacher as a task encoder with its top {@code trained} layers trainable (all of them: embeddings too, full
 * fine-tuning). The frozen layers' output is computed once per example and kept, so an epoch costs only the
 * trained layers: fine-tuning the top layer of a 6-layer teacher is about a sixth of full fine-tuning.
 */
public final class TeacherEncoder implements Encoder {
    private final BertModel model;
    private final int layers;
    private final int frozen;
    private final int width;
    private final Map<EncodedExample, float[]> below = new IdentityHashMap<>();
    private final List<Table> inputs = new ArrayList<>();
    private Table tokens;

    /** {@code trained}: the top layers that train, 1..layers; the weights are copied, {@code weights} stays as it is. */
    public TeacherEncoder(BertWeights weights, int trained) {
        this.layers = weights.config().numLayers;
        if (trained < 0 || trained > layers) {
            throw new IllegalArgumentException("cannot train the top " + trained + " layers of a " + layers + "-layer teacher");
        }
        this.model = new BertModel(weights.copy());
        this.frozen = layers - trained;
        this.width = weights.config().hiddenSize;
    }

    @Override
    public Tensor<Float> forward(TaskBatch batch) {
        TokenBatch in = new TokenBatch(batch.ids, batch.types, batch.lengths);
        Tensor<Float> h;
        if (frozen == 0) {
            tokens = Tensors.table(in.ids, in.types);
            h = model.embeddingLayer().forward(tokens);
        } else {
            h = frozenOutput(batch);
        }
        inputs.clear();
        for (int i = frozen; i < layers; i++) {
            Table t = Tensors.table(h, in.mask);
            inputs.add(t);
            h = model.layer(i).forward(t);
        }
        return h;
    }

    @Override
    public void backward(Tensor<Float> gradOutput) {
        Tensor<Float> d = gradOutput;
        for (int i = layers - 1; i >= frozen; i--) {
            d = Tensors.tensorAt(model.layer(i).backward(inputs.get(i - frozen), d), 1);
        }
        if (frozen == 0) {
            model.embeddingLayer().backward(tokens, d);
        }
    }

    @Override
    public List<Parameterized<?>> modules() {
        List<Parameterized<?>> out = new ArrayList<>();
        if (frozen == 0) {
            out.add(model.embeddingLayer());
        }
        for (int i = frozen; i < layers; i++) {
            out.add(model.layer(i));
        }
        return out;
    }

    @Override
    public int width() {
        return width;
    }

    /** The frozen layers' output for the batch, [batch, length, width], from the per-example store. */
    private Tensor<Float> frozenOutput(TaskBatch batch) {
        List<Integer> missing = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            if (!below.containsKey(batch.examples.get(b))) {
                missing.add(b);
            }
        }
        if (!missing.isEmpty()) {
            int[] rows = new int[missing.size()];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = missing.get(i);
            }
            TaskBatch sub = TaskBatch.of(batch.examples, rows);
            Tensor<Float> states = Tensors.dense(model.statesAfter(sub.ids, sub.types, sub.lengths, new int[]{frozen}).get(0));
            float[] data = Tensors.data(states);
            int seq = states.size(2);
            for (int i = 0; i < rows.length; i++) {
                float[] kept = new float[sub.lengths[i] * width];
                System.arraycopy(data, Tensors.offset(states) + i * seq * width, kept, 0, kept.length);
                below.put(sub.examples.get(i), kept);
            }
        }
        int seq = batch.ids[0].length;
        float[] out = new float[batch.size() * seq * width];
        for (int b = 0; b < batch.size(); b++) {
            float[] kept = below.get(batch.examples.get(b));
            System.arraycopy(kept, 0, out, b * seq * width, kept.length);
        }
        return BigDl.tensor(out, batch.size(), seq, width);
    }
}
