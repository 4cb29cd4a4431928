package org.nasbert.nn;

import com.intel.analytics.bigdl.tensor.Tensor;
import org.nasbert.engine.BigDl;

/** Token ids, segment ids and the 1/0 attention mask of a padded batch, as the embedding and encoder layers take them. */
public final class TokenBatch {
    public final Tensor<Float> ids;
    public final Tensor<Float> types;
    public final Tensor<Float> mask;

    /** {@code ids[b][t]}, {@code types[b][t]} (null = all 0), {@code lengths[b]} real tokens (the rest is padding). */
    public TokenBatch(int[][] ids, int[][] types, int[] lengths) {
        int batch = ids.length;
        int seq = ids[0].length;
        float[] idData = new float[batch * seq];
        float[] typeData = new float[batch * seq];
        float[] maskData = new float[batch * seq];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != seq) {
                throw new IllegalArgumentException("sequence " + b + " has length " + ids[b].length + ", expected " + seq);
            }
            for (int t = 0; t < seq; t++) {
                idData[b * seq + t] = ids[b][t];
                typeData[b * seq + t] = types == null ? 0 : types[b][t];
                maskData[b * seq + t] = t < lengths[b] ? 1 : 0;
            }
        }
        this.ids = BigDl.tensor(idData, batch, seq);
        this.types = BigDl.tensor(typeData, batch, seq);
        this.mask = BigDl.tensor(maskData, batch, seq);
    }
}
