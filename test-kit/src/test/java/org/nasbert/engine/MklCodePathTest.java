package org.nasbert.engine;

import com.intel.analytics.bigdl.mkl.MKL;
import org.junit.jupiter.api.Test;
import org.nasbert.testing.MklPaths;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MKL runs the widest vector code path this CPU can run, as MKL itself reports it (mkl_serv_cpu_detect,
 * the CPU type its dispatcher uses). On an AMD CPU the MKL in BigDL 0.13 takes its generic SSE2 path
 * unless told otherwise, so the first test fails there whenever the dispatch is missing (in this test JVM
 * MklDispatchSession chose the path, as bin/nasbert, the executors and the benchmarks do); on Intel MKL's
 * own choice passes it. The second runs a JVM that leaves MKL alone (NASBERT_MKL_DISPATCH=off, with the
 * MKL_DEBUG_CPU_TYPE a parent nasbert JVM would pass down) and checks that it reports the slow path on AMD,
 * and that both paths compute the same products and exponentials up to float rounding.
 */
class MklCodePathTest {
    @Test
    void mklRunsTheWidestPathTheCpuSupports() {
        CpuInfo cpu = CpuInfo.local();
        Integer type = MklDispatch.loadedCpuType();
        assertNotNull(type, "BigDL's MKL did not load, or MKL's report is unavailable (JNA)");
        int widest = MklPaths.widestPath(cpu);
        assertTrue(type >= widest, "MKL runs " + MklDispatch.pathName(type) + " on " + cpu + " [" + cpu.describe().get("vector_flags")
                + "], which can run " + MklDispatch.pathName(widest) + "; chosen by: " + MklDispatch.report().get("chosen_by"));
        Map<String, Object> report = MklDispatch.report();
        assertEquals(MklDispatch.pathName(type), report.get("code_path"));
        assertTrue(String.valueOf(report.get("version")).contains("2019.0.5"), "BigDL 0.13's MKL: " + report.get("version"));
    }

    @Test
    void leftAloneMklTakesItsGenericPathOnAmdAndBothPathsComputeTheSame() throws Exception {
        List<String> child = runChild();
        int childType = Integer.parseInt(child.get(0));
        CpuInfo cpu = CpuInfo.local();
        if (!cpu.isIntel() && MklPaths.widestPath(cpu) > 0) {
            assertEquals(0, childType, "MKL left alone on " + cpu + ": the generic path this project's dispatch avoids");
        } else {
            assertEquals(MklDispatch.loadedCpuType().intValue(), childType, "MKL's own choice on " + cpu);
        }
        float[] ours = Probe.compute();
        String[] theirs = child.get(1).split(" ");
        assertEquals(ours.length, theirs.length);
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            float t = Float.intBitsToFloat(Integer.parseInt(theirs[i]));
            worst = Math.max(worst, Math.abs(ours[i] - t) / Math.max(1.0, Math.abs(t)));
        }
        // 256-term float sums in another order, exp to MKL's accuracy (a wrong kernel would be off by O(1))
        assertTrue(worst < 1e-5, "largest relative difference between the two paths: " + worst);
    }

    private static List<String> runChild() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                Probe.class.getName());
        // as a child of a nasbert JVM inherits its C environment: the parent's choice, marked as nasbert's
        pb.environment().put(MklDispatch.CPU_TYPE_VARIABLE, "7");
        pb.environment().put(MklDispatch.SET_BY_NASBERT, "7");
        pb.environment().put(MklDispatch.MODE_VARIABLE, "off");
        File log = File.createTempFile("mkl-probe", ".log");
        Process p = pb.redirectError(log).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), "child JVM: " + lines + "; stderr: " + new String(java.nio.file.Files.readAllBytes(log.toPath()),
                StandardCharsets.UTF_8));
        log.delete();
        assertEquals(2, lines.size(), "child JVM printed: " + lines);
        return lines;
    }

    /** The child: MKL's CPU type on one line, then a product and exponentials as float bits. */
    public static final class Probe {
        public static void main(String[] args) {
            Integer type = MklDispatch.loadedCpuType();
            float[] out = compute();
            StringBuilder s = new StringBuilder();
            for (float v : out) {
                s.append(s.length() == 0 ? "" : " ").append(Float.floatToIntBits(v));
            }
            System.out.println(type);
            System.out.println(s);
        }

        static float[] compute() {
            int n = 256;
            Random random = new Random(7);
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            float[] c = new float[n * n];
            MKL.vsgemm('N', 'N', n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            float[] e = new float[n];
            System.arraycopy(a, 0, e, 0, n);
            MKL.vsExp(n, e, 0, e, 0);
            float[] out = new float[64 + n];
            for (int i = 0; i < 64; i++) {
                out[i] = c[i * 1021 % c.length];
            }
            System.arraycopy(e, 0, out, 64, n);
            return out;
        }
    }
}
