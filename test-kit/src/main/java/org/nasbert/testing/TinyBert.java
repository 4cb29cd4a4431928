package org.nasbert.testing;

import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small BERTs with random weights and a masked-LM head: teachers for tests that need the head but not BERT-base's cost. */
public final class TinyBert {
    private TinyBert() {
    }

    /** Weights drawn from N(0, std²), LayerNorm scales 1. */
    public static BertWeights withHead(BertConfig config, Random random, double std) {
        int h = config.hiddenSize;
        Map<String, int[]> shapes = new LinkedHashMap<>(BertWeights.expectedShapes(config));
        shapes.put("cls.predictions.transform.dense.weight", new int[]{h, h});
        shapes.put("cls.predictions.transform.dense.bias", new int[]{h});
        shapes.put("cls.predictions.transform.LayerNorm.weight", new int[]{h});
        shapes.put("cls.predictions.transform.LayerNorm.bias", new int[]{h});
        shapes.put("cls.predictions.bias", new int[]{config.vocabSize});
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] data = new float[(int) WeightTensor.elements(e.getValue())];
            boolean scale = e.getKey().endsWith("LayerNorm.weight");
            for (int i = 0; i < data.length; i++) {
                data[i] = scale ? 1f : (float) (std * random.nextGaussian());
            }
            named.put(e.getKey(), new WeightTensor(e.getKey(), e.getValue(), data));
        }
        return BertWeights.of(config, named, "random BERT " + config + " with a masked-LM head");
    }
}
