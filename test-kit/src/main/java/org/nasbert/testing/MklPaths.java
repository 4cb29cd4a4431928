package org.nasbert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import org.nasbert.engine.CpuInfo;
import org.nasbert.engine.MklDispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What MKL should run on this machine, and checks of the machine descriptions that manifests record. */
public final class MklPaths {
    private MklPaths() {
    }

    /** The widest of MKL's kernel families whose instructions the CPU's flags list (MKL's types: 7 AVX-512, 5 AVX2, 0 generic). */
    public static int widestPath(CpuInfo cpu) {
        boolean avx2 = cpu.hasAll("avx", "avx2", "fma", "bmi1", "bmi2", "movbe", "f16c");
        if (avx2 && cpu.hasAll("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")) {
            return 7;
        }
        return avx2 ? 5 : 0;
    }

    /**
     * A manifest's machine entry (the driver's or an executor's) names this machine's CPU, and, where MKL computed,
     * the widest code path the CPU supports (on Intel MKL may pick its own, never narrower).
     */
    public static void assertRanFast(JsonNode machine, String where) {
        CpuInfo cpu = CpuInfo.local();
        assertEquals(cpu.vendor(), machine.path("cpu").path("vendor").asText(), where + ": " + machine);
        assertEquals(cpu.model(), machine.path("cpu").path("model").asText(), where + ": " + machine);
        assertTrue(machine.path("cpu").path("vector_flags").asText().contains("sse4_2"), where + ": " + machine);
        JsonNode mkl = machine.path("mkl");
        int widest = widestPath(cpu);
        assertTrue(mkl.path("cpu_type").isInt() && mkl.path("cpu_type").asInt() >= widest, where + ": MKL ran "
                + mkl.path("code_path").asText() + ", the CPU can run " + MklDispatch.pathName(widest) + ": " + machine);
    }
}
