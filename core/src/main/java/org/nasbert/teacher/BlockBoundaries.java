package org.nasbert.teacher;

import org.nasbert.NasbertException;

/**
 * Where the teacher is cut into blocks: boundary n (0..N) is the hidden state after layer round(n * L / N),
 * boundary 0 being the embedding output. NAS-BERT cuts BERT-base's 12 layers into 4 blocks of 3; a teacher
 * whose depth N does not divide gets blocks that differ by one layer.
 */
public final class BlockBoundaries {
    private BlockBoundaries() {
    }

    public static int[] of(int layers, int blocks) {
        if (blocks < 1 || blocks > layers) {
            throw new NasbertException("supernet.blocks = " + blocks + " needs a teacher with at least that many layers; "
                    + "this teacher has " + layers);
        }
        int[] boundaries = new int[blocks + 1];
        for (int n = 0; n <= blocks; n++) {
            boundaries[n] = (int) Math.round((double) n * layers / blocks);
        }
        return boundaries;
    }
}
