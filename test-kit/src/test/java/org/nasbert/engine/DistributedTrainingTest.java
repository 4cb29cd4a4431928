package org.nasbert.engine;

import com.intel.analytics.bigdl.dataset.Sample;
import com.intel.analytics.bigdl.dataset.Sample$;
import com.intel.analytics.bigdl.nn.Linear;
import com.intel.analytics.bigdl.nn.MSECriterion;
import com.intel.analytics.bigdl.nn.ReLU;
import com.intel.analytics.bigdl.nn.Sequential;
import com.intel.analytics.bigdl.nn.abstractnn.AbstractCriterion;
import com.intel.analytics.bigdl.nn.abstractnn.AbstractModule;
import com.intel.analytics.bigdl.nn.abstractnn.Activity;
import com.intel.analytics.bigdl.optim.Adam;
import com.intel.analytics.bigdl.optim.Optimizer;
import com.intel.analytics.bigdl.optim.Optimizer$;
import com.intel.analytics.bigdl.optim.Trigger$;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.LocalSpark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack end to end: BigDL 0.13's distributed optimizer trains a small model on Spark local[2]
 * with MKL, and the loss, measured independently on the driver, falls.
 */
class DistributedTrainingTest {
    private static final int IN = 8;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void bigdlsDistributedOptimizerTrainsOnLocalSparkWithMkl() {
        SparkSession spark = LocalSpark.session();
        BigDl.init(spark.sparkContext());
        assertTrue(BigDl.mklLoaded(), "MKL natives loaded");
        assertEquals(2, com.intel.analytics.bigdl.utils.Engine$.MODULE$.coreNumber());

        // Data from a fixed non-linear teacher: y = sum_i w_i * x_i + 0.5 * max(0, x_0 * x_1).
        Random random = new Random(7);
        float[] w = new float[IN];
        for (int i = 0; i < IN; i++) {
            w[i] = (float) random.nextGaussian();
        }
        List<float[]> xs = new ArrayList<>();
        List<Float> ys = new ArrayList<>();
        for (int n = 0; n < 2000; n++) {
            float[] x = new float[IN];
            float y = 0;
            for (int i = 0; i < IN; i++) {
                x[i] = (float) random.nextGaussian();
                y += w[i] * x[i];
            }
            xs.add(x);
            ys.add(y + 0.5f * Math.max(0, x[0] * x[1]));
        }
        List<Sample<Float>> samples = new ArrayList<>();
        for (int n = 0; n < xs.size(); n++) {
            samples.add(Sample$.MODULE$.apply(BigDl.tensor(xs.get(n), IN), BigDl.tensor(new float[]{ys.get(n)}, 1),
                    BigDl.FLOAT, BigDl.NUMERIC));
        }
        JavaRDD<Sample<Float>> data = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(samples, 2);

        Sequential<Float> model = new Sequential<>(BigDl.FLOAT, BigDl.NUMERIC);
        model.add(new Linear<>(IN, 32, true, null, null, null, null, null, null, BigDl.FLOAT, BigDl.NUMERIC));
        model.add(new ReLU<>(false, BigDl.FLOAT, BigDl.NUMERIC));
        model.add(new Linear<>(32, 1, true, null, null, null, null, null, null, BigDl.FLOAT, BigDl.NUMERIC));
        double before = meanSquaredError(model, xs, ys);

        Optimizer<Float, ?> optimizer = Optimizer$.MODULE$.apply(
                (AbstractModule<Activity, Activity, Float>) (AbstractModule) model, data.rdd(),
                (AbstractCriterion<Activity, Activity, Float>) (AbstractCriterion) new MSECriterion<>(BigDl.FLOAT, BigDl.NUMERIC),
                100, null, null, BigDl.FLOAT, BigDl.NUMERIC);
        optimizer.setOptimMethod(new Adam<>(0.01, 0.0, 0.9, 0.999, 1e-8, BigDl.FLOAT, BigDl.NUMERIC));
        optimizer.setEndWhen(Trigger$.MODULE$.maxEpoch(15));
        AbstractModule<Activity, Activity, Float> trained = optimizer.optimize();

        double after = meanSquaredError(trained, xs, ys);
        assertTrue(before > 1.0, "an untrained model is far off: " + before);
        assertTrue(after < before / 20, "MSE " + before + " -> " + after);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static double meanSquaredError(AbstractModule model, List<float[]> xs, List<Float> ys) {
        float[] flat = new float[xs.size() * IN];
        for (int n = 0; n < xs.size(); n++) {
            System.arraycopy(xs.get(n), 0, flat, n * IN, IN);
        }
        model.evaluate();
        Tensor<Float> out = (Tensor<Float>) model.forward(BigDl.tensor(flat, xs.size(), IN));
        model.training();
        double sum = 0;
        for (int n = 0; n < xs.size(); n++) {
            double d = out.valueAt(n + 1, 1) - ys.get(n);
            sum += d * d;
        }
        return sum / xs.size();
    }
}
