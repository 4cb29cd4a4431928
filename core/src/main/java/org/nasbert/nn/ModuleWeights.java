package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The weights of a list of modules as safetensors, named {@code m<i>.p<j>} (module i, its parameter j): how a
 * fine-tuned head and a teacher's fine-tuned top layers are stored. Reading checks every name and shape.
 */
public final class ModuleWeights {
    private ModuleWeights() {
    }

    public static void write(List<? extends Parameterized<?>> modules, Map<String, String> metadata, OutputStream out) throws IOException {
        List<WeightTensor> tensors = new ArrayList<>();
        for (int i = 0; i < modules.size(); i++) {
            Tensor<Float>[] w = modules.get(i).parameters()._1();
            for (int j = 0; j < w.length; j++) {
                tensors.add(new WeightTensor("m" + i + ".p" + j, w[j].size(), Tensors.copyOf(w[j])));
            }
        }
        SafeTensors.write(tensors, metadata, false, out);
    }

    /** Loads {@code file} into {@code modules}, which must have the shapes it was written from. */
    public static void read(FileSystem fs, Path file, List<? extends Parameterized<?>> modules) {
        Map<String, WeightTensor> stored = SafeTensors.read(fs, file);
        int expected = 0;
        for (int i = 0; i < modules.size(); i++) {
            Tensor<Float>[] w = modules.get(i).parameters()._1();
            for (int j = 0; j < w.length; j++) {
                String name = "m" + i + ".p" + j;
                WeightTensor t = stored.get(name);
                if (t == null || !Arrays.equals(t.shape(), w[j].size())) {
                    throw new NasbertException(file + ": " + (t == null ? "no tensor " + name : name + " has shape "
                            + Arrays.toString(t.shape())) + ", expected shape " + Arrays.toString(w[j].size()));
                }
                if (!w[j].isContiguous()) {
                    throw new IllegalStateException("module " + i + " parameter " + j + " is not contiguous");
                }
                System.arraycopy(t.data(), 0, Tensors.data(w[j]), Tensors.offset(w[j]), t.data().length);
                expected++;
            }
        }
        if (stored.size() != expected) {
            throw new NasbertException(file + " holds " + stored.size() + " tensors, the model has " + expected);
        }
    }
}
