package org.nasbert.bench;

import org.nasbert.engine.BigDl;
import org.nasbert.engine.Machine;
import org.nasbert.engine.MklDispatch;

import java.util.Arrays;

/**
 * Measurements and reference checks, run by {@code bin/nasbert bench <name>} and
 * {@code bin/nasbert verify-tokenizer}; never part of the application jar.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        MklDispatch.prepare(); // as the stages do: MKL's code path for this CPU, before anything loads it
        String name = args.length > 0 ? args[0] : "";
        if (!name.equals("verify-tokenizer") && !name.isEmpty() && !name.equals("--help")) {
            // numbers from different machines are never compared blind: CPU, its vector flags, MKL's code path
            BigDl.mklLoaded(); // loaded now, so that the line reports the path the benchmark runs
            System.out.println("machine: " + Machine.summary());
        }
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "tokenize":
                TokenizeBenchmark.main(rest);
                break;
            case "teacher":
                TeacherBenchmark.main(rest);
                break;
            case "block-step":
                BlockStepBenchmark.main(rest);
                break;
            case "distill-step":
                DistillStepBenchmark.main(rest);
                break;
            case "scaling":
                ScalingBenchmark.main(rest);
                break;
            case "search":
                SearchBenchmark.main(rest);
                break;
            case "latency":
                LatencyBenchmark.main(rest);
                break;
            case "mkl-path":
                MklPathBenchmark.main(rest);
                break;
            case "student-speed":
                StudentSpeedBenchmark.main(rest);
                break;
            case "verify-tokenizer":
                VerifyTokenizer.main(rest);
                break;
            default:
                System.err.println("usage: bin/nasbert bench tokenize [--copies N] [--runs N] [--threads N]\n"
                        + "       bin/nasbert bench teacher [--batch N] [--seq N] [--threads N] [--runs N]\n"
                        + "       bin/nasbert bench block-step [--hidden 512] [--batch 32] [--seq 128] [--teacher-hidden 768] [--runs 5] [--steps 2] [--torch /usr/bin/python3|off]\n"
                        + "       bin/nasbert bench distill-step [--batch 16] [--seq 128] [--embedding 128] [--teacher-hidden 384] [--steps 10] [--runs 5] [--searched ARCH] [--uniform ARCH] [--torch /usr/bin/python3|off]\n"
                        + "       bin/nasbert bench scaling [--run runs/demo] [--steps 30] [--batch 64] [--runs 3] [--hidden-sizes 128,256] [--compare k=v,...|--baseline DIR]\n"
                        + "       bin/nasbert bench search [--candidates 100] [--brute-force-candidates 30] [--top 100]\n"
                        + "       bin/nasbert bench latency [--engine bigdl|onnxruntime] [--batch 1] [--seq 128] [--threads 1] [--runs 30] [--students 8] [--run RUN] [--out table.json]\n"
                        + "       bin/nasbert bench mkl-path [--bench block-step|teacher] [--runs 3] [--child-runs 3] [--avx2 false]\n"
                        + "       bin/nasbert bench student-speed [--batch 128] [--seq 128] [--threads N] [--runs 3] [--teacher bert-base|minilm] [--pareto pareto.json]\n"
                        + "       bin/nasbert verify-tokenizer --input PATH[,PATH...] [--vocab LOCATION]");
                System.exit(name.isEmpty() || name.equals("--help") ? 0 : 2);
        }
    }
}
