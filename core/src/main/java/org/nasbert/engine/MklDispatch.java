package org.nasbert.engine;

import org.nasbert.NasbertException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chooses MKL's code path for this JVM, on the machine it runs on. The MKL that BigDL 0.13 bundles
 * (2019.0.5) dispatches by CPU maker: on anything but an Intel CPU it runs its generic SSE2 kernels,
 * 2-3x slower than the AVX2 or AVX-512 ones the CPU can run. It honours MKL_DEBUG_CPU_TYPE (5 = AVX2,
 * 7 = AVX-512), read from the C environment when it first dispatches; so this sets that variable with
 * setenv before BigDL's MKL class loads, and only on a non-Intel x86 CPU whose flags include every
 * extension the chosen kernels use (a forced path the CPU lacks dies of SIGILL). On Intel, MKL's own
 * choice stands (forcing 5 there would trade AVX-512 for AVX2).
 *
 * <p>Each JVM decides for itself (driver, every executor, YARN's ApplicationMaster), so executors on
 * another CPU maker than the driver are handled. {@code NASBERT_MKL_DISPATCH=off} in a JVM's environment
 * leaves MKL alone; a MKL_DEBUG_CPU_TYPE set by the user is never overridden.
 */
public final class MklDispatch {
    public static final String CPU_TYPE_VARIABLE = "MKL_DEBUG_CPU_TYPE";
    public static final String MODE_VARIABLE = "NASBERT_MKL_DISPATCH";
    /**
     * Set beside MKL_DEBUG_CPU_TYPE with the same value: a child process (a JVM or a shell started from this one
     * without an environment of its own) inherits the C environment, and must not take nasbert's choice for the user's.
     */
    static final String SET_BY_NASBERT = "NASBERT_MKL_DEBUG_CPU_TYPE_SET";
    static final int AVX2 = 5;
    static final int AVX512 = 7;
    /** What MKL's AVX2 kernels (Haswell's instruction set) and AVX-512 kernels (Skylake-SP's) use. */
    private static final String[] AVX2_FLAGS = {"avx", "avx2", "fma", "bmi1", "bmi2", "movbe", "f16c"};
    private static final String[] AVX512_FLAGS = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"};
    private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);

    private static Decision decision;

    private MklDispatch() {
    }

    /** What was decided for this JVM and why; {@code cpuType} null when MKL chooses for itself. */
    public static final class Decision {
        public final Integer cpuType;
        public final String reason;

        Decision(Integer cpuType, String reason) {
            this.cpuType = cpuType;
            this.reason = reason;
        }
    }

    /**
     * Decides and applies once per JVM; call before anything loads BigDL's MKL (a no-op afterwards).
     * An unknown {@code NASBERT_MKL_DISPATCH} value stops the run here, before Spark starts.
     */
    public static synchronized Decision prepare() {
        if (decision == null) {
            String inherited = System.getenv(CPU_TYPE_VARIABLE);
            if (inherited != null && inherited.equals(System.getenv(SET_BY_NASBERT)) && !NativeCalls.mklMapped()) {
                // a parent nasbert JVM's choice, not the user's: choose afresh (and honour NASBERT_MKL_DISPATCH=off)
                NativeCalls.unsetenv(CPU_TYPE_VARIABLE);
                NativeCalls.unsetenv(SET_BY_NASBERT);
                inherited = null;
            }
            Decision d = decide(CpuInfo.local(), inherited, System.getenv(MODE_VARIABLE));
            if (d.cpuType != null) {
                if (NativeCalls.mklMapped()) {
                    d = new Decision(null, "MKL was loaded before nasbert could choose its code path (" + d.reason + ")");
                } else if (!NativeCalls.setenv(CPU_TYPE_VARIABLE, d.cpuType.toString())
                        || !NativeCalls.setenv(SET_BY_NASBERT, d.cpuType.toString())) {
                    d = new Decision(null, "could not set " + CPU_TYPE_VARIABLE + " in this process (JNA unavailable?); "
                            + "set it in the environment instead (" + d.reason + ")");
                }
            }
            decision = d;
            // at debug: a usage error's stderr stays one line; the stages log it and record it in their manifests
            LOG.debug("MKL code path: {}", d.reason);
        }
        return decision;
    }

    static Decision decide(CpuInfo cpu, String userCpuType, String mode) {
        if (mode != null && !mode.trim().isEmpty() && !mode.trim().equals("auto") && !mode.trim().equals("off")) {
            throw new NasbertException(MODE_VARIABLE + "=" + mode + ": expected auto (the default) or off");
        }
        if (userCpuType != null && !userCpuType.trim().isEmpty()) {
            return new Decision(null, CPU_TYPE_VARIABLE + "=" + userCpuType + " set in the environment (kept)");
        }
        if (mode != null && mode.trim().equals("off")) {
            return new Decision(null, MODE_VARIABLE + "=off: MKL chooses for itself");
        }
        String vendor = cpu.vendor();
        if (!vendor.equals("AuthenticAMD") && !vendor.equals("HygonGenuine")) {
            return new Decision(null, vendor + " CPU: MKL chooses for itself");
        }
        if (cpu.hasAll(AVX2_FLAGS) && cpu.hasAll(AVX512_FLAGS)) {
            return new Decision(AVX512, vendor + " CPU with AVX-512 (F, CD, BW, DQ, VL): " + CPU_TYPE_VARIABLE + "=" + AVX512);
        }
        if (cpu.hasAll(AVX2_FLAGS)) {
            return new Decision(AVX2, vendor + " CPU with AVX2 and FMA: " + CPU_TYPE_VARIABLE + "=" + AVX2);
        }
        return new Decision(null, vendor + " CPU without AVX2: MKL's generic path");
    }

    /**
     * What this JVM's MKL runs: its version, the code path it dispatches to (MKL's own report) and why.
     * Does not load MKL: a JVM that never used it says so.
     */
    public static Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>();
        Integer type = NativeCalls.mklCpuType();
        if (type == null) {
            r.put("code_path", NativeCalls.mklMapped() ? "unknown (MKL's report is unavailable)" : "not loaded");
        } else {
            r.put("code_path", pathName(type));
            r.put("cpu_type", type);
            r.put("version", NativeCalls.mklVersion());
        }
        r.put("chosen_by", decision == null ? "nasbert did not choose (MklDispatch.prepare not called)" : decision.reason);
        return r;
    }

    /** The CPU type MKL dispatches on in this JVM, loading BigDL's MKL if needed; null if it cannot load. */
    public static Integer loadedCpuType() {
        prepare();
        return BigDl.mklLoaded() ? NativeCalls.mklCpuType() : null;
    }

    /** MKL 2019's names for its CPU types (its kernel families: libmkl_def, _mc, _mc3, _avx, _avx2, ...). */
    public static String pathName(int cpuType) {
        switch (cpuType) {
            case 0: return "def (generic SSE2)";
            case 2: return "mc (SSSE3)";
            case 3: return "mc3 (SSE4.2)";
            case 4: return "avx";
            case AVX2: return "avx2";
            case 6: return "avx512_mic";
            case AVX512: return "avx512";
            default: return "type " + cpuType;
        }
    }
}
