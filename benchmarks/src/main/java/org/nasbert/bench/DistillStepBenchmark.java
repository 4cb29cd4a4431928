package org.nasbert.bench;

import org.nasbert.engine.BigDl;
import org.nasbert.space.Architecture;
import org.nasbert.student.Distiller;
import org.nasbert.student.StudentModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * distill's training throughput (tokens/s of Distiller.train's hidden-states steps, Adam included, one MKL thread as in
 * a distill task) for a searched and a uniform student, runs interleaved with the same step in PyTorch
 * (benchmarks/python/torch_distill_step.py, one thread, same architecture, batch and length), so that the ratio is
 * measured side by side. Random ids and targets; every sequence full length.
 */
final class DistillStepBenchmark {
    private DistillStepBenchmark() {
    }

    static final String SEARCHED = "128:ffn,mha,sep5,ffn | 128:mha,sep3,ffn,ffn | 128:mha,ffn,sep3,ffn | 128:ffn,sep3,mha,id";
    static final String UNIFORM = "128:mha,ffn,mha,ffn,mha,ffn,mha,ffn,mha,ffn,mha,ffn";

    public static void main(String[] args) throws Exception {
        int batch = TokenizeBenchmark.intArg(args, "--batch", 16);
        int seq = TokenizeBenchmark.intArg(args, "--seq", 128);
        int embedding = TokenizeBenchmark.intArg(args, "--embedding", 128);
        int teacher = TokenizeBenchmark.intArg(args, "--teacher-hidden", 384);
        int steps = TokenizeBenchmark.intArg(args, "--steps", 10);
        int runs = TokenizeBenchmark.intArg(args, "--runs", 5);
        String torch = TokenizeBenchmark.stringArg(args, "--torch", "/usr/bin/python3");
        Map<String, String> students = new LinkedHashMap<>();
        students.put("searched", TokenizeBenchmark.stringArg(args, "--searched", SEARCHED));
        students.put("uniform", TokenizeBenchmark.stringArg(args, "--uniform", UNIFORM));
        BigDl.singleThreadedMath();
        System.out.printf("distill step: batch %d x %d tokens, embeddings %d, teacher width %d, %d steps a run, %d runs, one thread%n",
                batch, seq, embedding, teacher, steps, runs);
        for (Map.Entry<String, String> s : students.entrySet()) {
            Architecture a = Architecture.parse(s.getValue());
            Distiller.Sequences data = randomSequences(batch * 4, seq, teacher);
            Distiller.Sequences heldOut = randomSequences(1, seq, teacher);
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            System.out.printf("  %s: %,d weights (PyTorch's model prints its own count: they must agree)%n", s.getKey(),
                    StudentModel.fresh(a, embedding, 30522, 512, 4, 42, teacher).parameterCount());
            for (int r = 0; r < runs; r++) {
                StudentModel student = StudentModel.fresh(a, embedding, 30522, 512, 4, 42, teacher);
                Distiller.train(student, data, heldOut, teacher, 2, batch, 5e-4, 1); // warm-up: buffers, JIT
                long t0 = System.nanoTime();
                Distiller.train(student, data, heldOut, teacher, steps, batch, 5e-4, 2);
                double seconds = (System.nanoTime() - t0) / 1e9;
                ours.add((double) steps * batch * seq / seconds);
                Double t = TorchReference.distillStep(torch, s.getValue(), embedding, teacher, batch, seq, steps, r == 0);
                if (t != null) {
                    theirs.add(t);
                }
                System.out.printf("  %s run %d: nasbert %.0f tokens/s, pytorch %s%n", s.getKey(), r + 1, ours.get(r),
                        t == null ? "not run" : String.format("%.0f tokens/s", t));
            }
            double median = TokenizeBenchmark.median(ours);
            System.out.printf("median %s (%s): nasbert %.0f tokens/s", s.getKey(), s.getValue(), median);
            if (theirs.size() == runs) {
                double ref = TokenizeBenchmark.median(theirs);
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    ratios.add(ours.get(r) / theirs.get(r));
                }
                System.out.printf(", pytorch %.0f tokens/s, ratio nasbert/pytorch %.2f (median of the runs' ratios; goal >= 1)", ref,
                        TokenizeBenchmark.median(ratios));
            }
            System.out.println();
        }
    }

    /** Random token ids in the vocabulary's word range, one segment, and Gaussian targets of the teacher's width. */
    private static Distiller.Sequences randomSequences(int count, int seq, int width) {
        Random random = new Random(7);
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] row = new int[seq];
            for (int t = 0; t < seq; t++) {
                row[t] = 1000 + random.nextInt(29000);
            }
            float[] target = new float[seq * width];
            for (int j = 0; j < target.length; j++) {
                target[j] = (float) random.nextGaussian();
            }
            ids.add(row);
            types.add(new int[seq]);
            targets.add(target);
        }
        return Distiller.of(ids, types, targets);
    }
}
