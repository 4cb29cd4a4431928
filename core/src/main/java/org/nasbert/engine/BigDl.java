package org.nasbert.engine;

import com.intel.analytics.bigdl.mkl.MKL;
import com.intel.analytics.bigdl.tensor.Tensor;
import com.intel.analytics.bigdl.tensor.Tensor$;
import com.intel.analytics.bigdl.tensor.TensorNumericMath;
import com.intel.analytics.bigdl.utils.Engine$;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The one place that knows how BigDL's Scala API looks from Java: the implicit ClassTag and
 * TensorNumeric every constructor wants, and the Engine's start-up. Everything BigDL stays in core's
 * model code, behind the project's own types.
 */
public final class BigDl {
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final ClassTag<Float> FLOAT = (ClassTag) ClassTag$.MODULE$.Float();
    public static final TensorNumericMath.TensorNumeric<Float> NUMERIC = floatNumeric();
    private static boolean initialized;

    static {
        // Before anything here can load BigDL's MKL: its code path is chosen when it first dispatches.
        try {
            MklDispatch.prepare();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(BigDl.class).warn("MKL's code path left to MKL: {}", e.getMessage());
        }
    }

    private BigDl() {
    }

    /** BigDL's version, from its jar's Maven metadata ("unknown" if absent). */
    public static String version() {
        try (java.io.InputStream in = Tensor.class.getResourceAsStream(
                "/META-INF/maven/com.intel.analytics.bigdl/bigdl-SPARK_2.4/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** BigDL's Spark settings (no reduce locality, no speculation, wait for all executors). */
    public static SparkConf sparkConf(SparkConf conf) {
        return Engine$.MODULE$.createSparkConf(conf);
    }

    /**
     * Starts BigDL's engine for the running SparkContext: executor and core counts from the master
     * (local[N]) or from spark.executor.instances / spark.executor.cores.
     */
    public static synchronized void init(SparkContext sc) {
        if (initialized) {
            return;
        }
        // BigDL would otherwise rewrite logging and send Spark's to ./bigdl.log.
        System.setProperty("bigdl.utils.LoggerFilter.disable", "true");
        int[] nodesAndCores = nodesAndCores(sc.getConf());
        Engine$.MODULE$.init(nodesAndCores[0], nodesAndCores[1], true);
        initialized = true;
    }

    /** {executors, cores of each}: local[N] is one executor of N cores; local-cluster[n,c,m] n of c; a cluster from its settings. */
    public static int[] nodesAndCores(SparkConf conf) {
        String master = conf.get("spark.master", "local[*]");
        if (master.startsWith("local-cluster")) {
            String[] parts = master.replaceAll("^local-cluster\\[(.*)]$", "$1").split(",");
            return new int[]{Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        }
        if (master.startsWith("local")) {
            String threads = master.replaceAll("^local\\[?([^,\\]]*).*$", "$1");
            int cores = threads.isEmpty() ? 1
                    : "*".equals(threads) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
            return new int[]{1, cores};
        }
        return new int[]{conf.getInt("spark.executor.instances", 1), conf.getInt("spark.executor.cores", 1)};
    }

    /**
     * One MKL thread for this process: Spark runs one task per core, so each task's matrix products
     * must not spawn threads of their own (they would oversubscribe the cores).
     */
    public static void singleThreadedMath() {
        if (MKL.isMKLLoaded() && MKL.getNumThreads() != 1) {
            MKL.setNumThreads(1);
        }
    }

    public static boolean mklLoaded() {
        return MKL.isMKLLoaded();
    }

    public static Tensor<Float> tensor(float[] data, int... shape) {
        return Tensor$.MODULE$.apply(data, shape, FLOAT, NUMERIC);
    }

    @SuppressWarnings("unchecked")
    private static TensorNumericMath.TensorNumeric<Float> floatNumeric() {
        try {
            // javac cannot name the Scala object TensorNumeric.NumericFloat$; its MODULE$ is the instance.
            Class<?> type = Class.forName("com.intel.analytics.bigdl.tensor.TensorNumericMath$TensorNumeric$NumericFloat$");
            return (TensorNumericMath.TensorNumeric<Float>) type.getField("MODULE$").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("BigDL's TensorNumeric for Float is not on the classpath", e);
        }
    }
}
