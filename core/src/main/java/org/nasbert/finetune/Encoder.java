package org.nasbert.finetune;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.nn.Parameterized;

import java.util.List;

/** What a task head sits on: a trainable encoder of token batches (a student, or the teacher's top layers). */
public interface Encoder {
    /** Hidden states [batch, length, width], keeping what {@link #backward} needs; overwritten by the next call. */
    Tensor<Float> forward(TaskBatch batch);

    /** Accumulates the gradients of {@link #modules()} for the last forward batch. */
    void backward(Tensor<Float> gradOutput);

    /** The modules whose weights training changes (and a fine-tuned model stores). */
    List<Parameterized<?>> modules();

    int width();
}
