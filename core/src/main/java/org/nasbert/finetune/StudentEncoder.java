package org.nasbert.finetune;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.nn.Parameterized;
import org.nasbert.space.Architecture;
import org.nasbert.student.StudentModel;
import org.nasbert.student.StudentPass;

import java.util.List;

/** A student as a task encoder: every weight trains. */
public final class StudentEncoder implements Encoder {
    private final StudentModel student;
    private StudentPass pass;

    public StudentEncoder(StudentModel student) {
        this.student = student;
    }

    @Override
    public Tensor<Float> forward(TaskBatch batch) {
        pass = student.train(batch.ids, batch.types, batch.lengths);
        return pass.output();
    }

    @Override
    public void backward(Tensor<Float> gradOutput) {
        pass.backward(gradOutput);
    }

    @Override
    public List<Parameterized<?>> modules() {
        return student.encoderModules(); // a masked-LM head plays no part in a task
    }

    @Override
    public int width() {
        Architecture a = student.architecture();
        return student.outputWidth() != 0 ? student.outputWidth() : a.blocks().get(a.blocks().size() - 1).hidden();
    }
}
