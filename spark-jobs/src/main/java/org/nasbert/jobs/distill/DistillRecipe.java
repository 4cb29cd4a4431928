package org.nasbert.jobs.distill;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.engine.BigDl;
import org.nasbert.space.Architecture;
import org.nasbert.student.DistillCheckpoints;
import org.nasbert.student.Distiller;
import org.nasbert.student.MaskedLmDistillation;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.teacher.BertModel;
import org.nasbert.teacher.TeacherStates;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** What every student's task runs with. */
final class DistillRecipe implements Serializable {
    private static final long serialVersionUID = 1L;
    final int steps;
    final int batchSize;
    final double learningRate;
    final long seed;
    final int width;
    final boolean half;
    final int vocab;
    final int positions;
    final int ffnRatio;
    final String outputDir;
    final String checkpointDir;
    final int checkpointEvery;
    /** Null: the teacher's last hidden state is learnt. */
    final MaskedLm maskedLm;

    DistillRecipe(int steps, int batchSize, double learningRate, long seed, int width, boolean half, int vocab, int positions,
           int ffnRatio, String outputDir, String checkpointDir, int checkpointEvery, MaskedLm maskedLm) {
        this.maskedLm = maskedLm;
        this.checkpointDir = checkpointDir;
        this.checkpointEvery = checkpointEvery;
        this.steps = steps;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.seed = seed;
        this.width = width;
        this.half = half;
        this.vocab = vocab;
        this.positions = positions;
        this.ffnRatio = ffnRatio;
        this.outputDir = outputDir;
    }

    /** Trains and exports one student; returns held-out loss before, after, seconds and the step it resumed from. */
    /** {@code teacher}: computes the targets as the student trains; null when they were stored. */
    double[] train(DistillStage.Job job, List<DistillRow> train, List<DistillRow> heldOut, BertModel teacher) {
        BigDl.singleThreadedMath();
        long t0 = System.nanoTime();
        Architecture a = job.architecture;
        Path initial = new Path(new Path(checkpointDir, DistillStage.INITIAL), job.name);
        StudentModel student;
        try {
            student = initial.getFileSystem(new Configuration()).exists(initial) ? StudentExport.read(initial, new Configuration())
                    : maskedLm != null ? StudentModel.freshWithMaskedLmHead(a, job.embeddingSize, vocab, positions, ffnRatio, seed)
                    : StudentModel.fresh(a, job.embeddingSize, vocab, positions, ffnRatio, seed, width);
        } catch (java.io.IOException e) {
            throw new NasbertException("cannot read " + initial + ": " + e.getMessage(), e);
        }
        Path saved = new Path(checkpointDir, job.name);
        DistillCheckpoints checkpoints;
        long resumedFrom;
        try {
            checkpoints = new DistillCheckpoints(saved.getFileSystem(new Configuration()), saved, checkpointEvery, worker());
            resumedFrom = checkpoints.latestStep();
        } catch (java.io.IOException e) {
            throw new NasbertException("cannot open " + saved + ": " + e.getMessage(), e);
        }
        Distiller.Objective objective = maskedLm != null
                ? new MaskedLmDistillation(tokens(train), tokens(heldOut), teacher, maskedLm.masking(), maskedLm.temperature, batchSize)
                : Distiller.hiddenStates(sequences(train, teacher), sequences(heldOut, teacher), width, batchSize);
        double[] losses = Distiller.train(student, objective, steps, batchSize, learningRate, seed, checkpoints,
                ("fidelity".equals(job.kind) ? "fidelity: " : "distill: ") + job.name);
        Path target = new Path(outputDir, job.name);
        try {
            target.getFileSystem(new Configuration()).delete(target, true); // a retried task redoes its student
        } catch (java.io.IOException e) {
            throw new NasbertException("cannot clear " + target + ": " + e.getMessage(), e);
        }
        StudentExport.write(student, ffnRatio, null, target, new Configuration());
        return new double[]{losses[0], losses[1], (System.nanoTime() - t0) / 1e9, resumedFrom};
    }

    /** Which executor on which host trains a student, for its checkpoints' records. */
    private static String worker() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env == null ? "" : "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
    }

    private static Distiller.Sequences tokens(List<DistillRow> rows) {
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        for (DistillRow r : rows) {
            ids.add(r.ids);
            types.add(r.types);
        }
        return Distiller.tokens(ids, types);
    }

    private Distiller.Sequences sequences(List<DistillRow> rows, BertModel teacher) {
        if (teacher != null) {
            List<int[]> ids = new ArrayList<>();
            List<int[]> types = new ArrayList<>();
            for (DistillRow r : rows) {
                ids.add(r.ids);
                types.add(r.types);
            }
            return Distiller.onTheFly(ids, types, teacher);
        }
        return new Distiller.Sequences() {
            public int size() {
                return rows.size();
            }

            public int[] ids(int i) {
                return rows.get(i).ids;
            }

            public int[] types(int i) {
                return rows.get(i).types;
            }

            public float[] target(int i) {
                return TeacherStates.decode(rows.get(i).target, half);
            }
        };
    }
}
