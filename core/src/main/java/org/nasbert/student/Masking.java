package org.nasbert.student;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * BERT's masking for masked-LM training (Devlin et al. §3.1, create_pretraining_data.py): of each sequence's real
 * tokens other than [CLS] and [SEP], {@code round(probability x candidates)} (at least one) are chosen without
 * replacement; a chosen token becomes [MASK] 80% of the time, a random vocabulary id 10%, and stays itself 10%.
 */
public final class Masking {
    private final double probability;
    private final int maskId;
    private final int vocabSize;
    private final int[] special;

    public Masking(double probability, int maskId, int vocabSize, int... special) {
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("masking probability must be in (0, 1], got " + probability);
        }
        if (maskId < 0 || maskId >= vocabSize) {
            throw new IllegalArgumentException("[MASK] id " + maskId + " is outside a vocabulary of " + vocabSize);
        }
        this.probability = probability;
        this.maskId = maskId;
        this.vocabSize = vocabSize;
        this.special = special.clone();
    }

    /** A masked batch: the ids the models read, and the places (sequence, position) whose original token is predicted. */
    public static final class Masked {
        public final int[][] ids;
        public final int[] batch;
        public final int[] position;

        Masked(int[][] ids, int[] batch, int[] position) {
            this.ids = ids;
            this.batch = batch;
            this.position = position;
        }

        public int count() {
            return batch.length;
        }
    }

    /** Masks a padded batch ({@code lengths[b]} real tokens in row b); {@code ids} is left as it is. */
    public Masked apply(int[][] ids, int[] lengths, Random random) {
        int[][] out = new int[ids.length][];
        List<int[]> places = new ArrayList<>();
        for (int b = 0; b < ids.length; b++) {
            out[b] = ids[b].clone();
            List<Integer> candidates = new ArrayList<>();
            for (int t = 0; t < lengths[b]; t++) {
                if (!isSpecial(ids[b][t])) {
                    candidates.add(t);
                }
            }
            if (candidates.isEmpty()) {
                continue;
            }
            Collections.shuffle(candidates, random);
            int n = Math.max(1, (int) Math.round(probability * candidates.size()));
            List<Integer> chosen = new ArrayList<>(candidates.subList(0, n));
            Collections.sort(chosen);
            for (int t : chosen) {
                double r = random.nextDouble();
                out[b][t] = r < 0.8 ? maskId : r < 0.9 ? random.nextInt(vocabSize) : ids[b][t];
                places.add(new int[]{b, t});
            }
        }
        int[] batch = new int[places.size()];
        int[] position = new int[places.size()];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = places.get(i)[0];
            position[i] = places.get(i)[1];
        }
        return new Masked(out, batch, position);
    }

    private boolean isSpecial(int id) {
        for (int s : special) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }
}
