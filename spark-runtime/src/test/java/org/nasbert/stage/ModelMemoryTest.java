package org.nasbert.stage;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.nasbert.space.Architecture;
import org.nasbert.space.StudentSize;
import org.nasbert.teacher.BertConfig;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sizes the memory estimates add up, worked by hand for BERT-base and a small student. */
class ModelMemoryTest {
    private static final BertConfig BERT_BASE = new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12f);

    @Test
    void weightsAndTrainingStateAreFloat32Copies() {
        assertEquals(440_000_000L, ModelMemory.weights(110_000_000L));
        assertEquals(1_760_000_000L, ModelMemory.training(110_000_000L), "weights, gradients and Adam's two moments");
    }

    @Test
    void inferenceHoldsOneLayerAndTheKeptStates() {
        // per token: 6 x 768 + 2 x 3072 + 2 x 12 heads x 128 = 13,824 floats, plus 5 kept states x 768 = 3,840
        assertEquals(4L * 16 * 128 * (13_824 + 3_840), ModelMemory.inference(16, 128, BERT_BASE, 5));
    }

    @Test
    void aStudentStepHoldsItsTrainingStateAndEveryOpsActivationsTwice() {
        Architecture a = Architecture.parse("128:mha,ffn|256:mha,sep3,id");
        long parameters = new StudentSize(30522, 512, 2, 4, 128).parameters(a);
        // per token: mha@128 8 x 128 + 2 heads x 64; ffn@128 2 x 512 + 4 x 128; mha@256 8 x 256 + 4 heads x 64 x 2;
        // sep3@256 6 x 256; the identity nothing
        long perToken = (1024 + 256) + (1024 + 512) + (2048 + 512) + 1536;
        assertEquals(16 * parameters + 2L * 4 * 8 * 64 * perToken, ModelMemory.studentTraining(a, 128, 30522, 512, 4, 8, 64));
    }

    @Test
    void tasksAtOnceFollowTheMasterAndTheExecutorsCores() {
        assertEquals(3, ModelMemory.tasksAtOnce(new SparkConf().set("spark.master", "local[3]")));
        assertEquals(4, ModelMemory.tasksAtOnce(new SparkConf().set("spark.master", "local-cluster[2,4,1024]")));
        assertEquals(5, ModelMemory.tasksAtOnce(new SparkConf().set("spark.master", "yarn").set("spark.executor.cores", "5")));
        assertEquals(1, ModelMemory.tasksAtOnce(new SparkConf().set("spark.master", "yarn")), "YARN's default: one core");
        assertEquals(5, ModelMemory.largest(Arrays.asList(3L, 1L, 2L), 2), "the largest run together");
        assertEquals(6, ModelMemory.largest(Arrays.asList(3L, 1L, 2L), 9));
    }
}
