package org.nasbert.jobs.distill;

import org.nasbert.NasbertException;
import org.nasbert.prep.TokenizeStage;
import org.nasbert.stage.StageContext;
import org.nasbert.student.DistillSettings;
import org.nasbert.student.Masking;

import java.io.Serializable;

/** Masked-LM distillation's settings and the vocabulary's special ids, as the tasks need them. */
final class MaskedLm implements Serializable {
    private static final long serialVersionUID = 1L;
    final double probability;
    final double temperature;
    final int maskId;
    final int vocabSize;
    final int[] special;

    private MaskedLm(double probability, double temperature, int maskId, int vocabSize, int[] special) {
        this.probability = probability;
        this.temperature = temperature;
        this.maskId = maskId;
        this.vocabSize = vocabSize;
        this.special = special;
    }

    /** The special ids as the tokenize stage recorded them: the sequences' ids are exactly these. */
    static MaskedLm of(StageContext context) throws java.io.IOException {
        org.nasbert.prep.CorpusManifest.Vocabulary v = org.nasbert.prep.CorpusManifest.read(context.run()).vocabulary;
        if (v == null || v.maskId == null || v.clsId == null || v.sepId == null || v.padId == null) {
            throw new NasbertException(context.run().path(TokenizeStage.OUTPUT) + "/manifest.json: vocabulary's special ids "
                    + "are missing; masked-LM distillation needs them (rerun tokenize with this version)");
        }
        return new MaskedLm(context.get(DistillSettings.MASK_PROBABILITY), context.get(DistillSettings.TEMPERATURE),
                v.maskId, v.size, new int[]{v.clsId, v.sepId, v.padId});
    }

    Masking masking() {
        return new Masking(probability, maskId, vocabSize, special);
    }
}
