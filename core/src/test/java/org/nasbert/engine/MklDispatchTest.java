package org.nasbert.engine;

import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which MKL code path each CPU gets: MKL's AVX-512 or AVX2 kernels on AMD (and Hygon) CPUs whose flags
 * include every extension those kernels use, MKL's own choice on Intel and anywhere else, and never a
 * path the CPU lacks (that would die of SIGILL). Read from real /proc/cpuinfo texts.
 */
class MklDispatchTest {
    private static final String SKYLAKE_SP = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
            + "sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid pni pclmulqdq ssse3 "
            + "fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch "
            + "fsgsbase bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd "
            + "avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke";
    private static final String ZEN2_ROME = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
            + "sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid "
            + "aperfmperf pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm "
            + "cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core "
            + "perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 "
            + "smep bmi2 cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves";
    private static final String PILEDRIVER = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
            + "sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid "
            + "aperfmperf pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 popcnt aes xsave avx f16c lahf_lm cmp_legacy svm "
            + "extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs xop skinit wdt lwp fma4 tce nodeid_msr tbm topoext "
            + "perfctr_core perfctr_nb cpb hw_pstate ssbd ibpb vmmcall bmi1 arat npt lbrv svm_lock nrip_save tsc_scale flushbyasid";

    private static CpuInfo cpu(String vendor, String model, String flags) {
        return CpuInfo.parse(Arrays.asList("processor\t: 0", "vendor_id\t: " + vendor, "model name\t: " + model,
                "flags\t\t: " + flags, "", "processor\t: 1", "vendor_id\t: SomethingElse", "flags\t\t: avx512f"));
    }

    private static CpuInfo thisProjectsEpyc() throws Exception {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                MklDispatchTest.class.getResourceAsStream("cpuinfo-amd-epyc-zen5.txt"), StandardCharsets.UTF_8))) {
            List<String> lines = r.lines().collect(Collectors.toList());
            return CpuInfo.parse(lines);
        }
    }

    @Test
    void cpuinfoIsReadFromTheFirstProcessorBlock() throws Exception {
        CpuInfo epyc = thisProjectsEpyc();
        assertEquals("AuthenticAMD", epyc.vendor());
        assertEquals("AMD EPYC", epyc.model());
        assertTrue(epyc.hasAll("avx2", "fma", "avx512f", "avx512bw"));
        assertFalse(epyc.hasAll("avx512er"), "Xeon Phi's extension, which no AMD CPU has");
        assertEquals("sse4_2 avx fma avx2 bmi2 avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni avx512_bf16",
                epyc.describe().get("vector_flags"));
        CpuInfo zen2 = cpu("AuthenticAMD", "AMD EPYC 7B12", ZEN2_ROME);
        assertFalse(zen2.hasAll("avx512f"), "the second processor block's flags are not mixed in");
    }

    @Test
    void amdWithAvx512GetsMklsAvx512KernelsAndWithAvx2ItsAvx2Kernels() throws Exception {
        MklDispatch.Decision epyc = MklDispatch.decide(thisProjectsEpyc(), null, null);
        assertEquals(Integer.valueOf(7), epyc.cpuType);
        assertTrue(epyc.reason.contains("MKL_DEBUG_CPU_TYPE=7"), epyc.reason);
        assertEquals(Integer.valueOf(5), MklDispatch.decide(cpu("AuthenticAMD", "AMD EPYC 7B12", ZEN2_ROME), null, "auto").cpuType);
        assertEquals(Integer.valueOf(5), MklDispatch.decide(cpu("HygonGenuine", "Hygon C86 7185", ZEN2_ROME), null, "").cpuType);
    }

    @Test
    void noPathIsForcedThatTheCpuCannotRun() {
        MklDispatch.Decision old = MklDispatch.decide(cpu("AuthenticAMD", "AMD Opteron 6380", PILEDRIVER), null, null);
        assertNull(old.cpuType, "AVX and FMA but no AVX2: MKL's own (generic) path");
        assertTrue(old.reason.contains("without AVX2"), old.reason);
        String zen2WithoutBmi2 = ZEN2_ROME.replace(" bmi2", "");
        assertNull(MklDispatch.decide(cpu("AuthenticAMD", "hypervisor hiding BMI2", zen2WithoutBmi2), null, null).cpuType,
                "MKL's AVX2 kernels are Haswell's instruction set, BMI2 included");
        String avx512WithoutVl = SKYLAKE_SP.replace(" avx512vl", "");
        assertEquals(Integer.valueOf(5), MklDispatch.decide(cpu("AuthenticAMD", "partial AVX-512", avx512WithoutVl), null, null).cpuType);
    }

    @Test
    void intelAndUnknownCpusKeepMklsOwnChoice() {
        MklDispatch.Decision intel = MklDispatch.decide(cpu("GenuineIntel", "Intel(R) Xeon(R) Platinum 8175M", SKYLAKE_SP), null, null);
        assertNull(intel.cpuType, "forcing a type on Intel would trade AVX-512 for AVX2 at best");
        assertTrue(intel.reason.startsWith("GenuineIntel"), intel.reason);
        assertNull(MklDispatch.decide(cpu("CentaurHauls", "VIA", ZEN2_ROME), null, null).cpuType);
        assertNull(MklDispatch.decide(CpuInfo.parse(Arrays.asList("no cpuinfo here")), null, null).cpuType);
    }

    @Test
    void theUsersOwnSettingWins() throws Exception {
        MklDispatch.Decision kept = MklDispatch.decide(thisProjectsEpyc(), "5", null);
        assertNull(kept.cpuType, "never overridden");
        assertEquals("MKL_DEBUG_CPU_TYPE=5 set in the environment (kept)", kept.reason);
        MklDispatch.Decision off = MklDispatch.decide(thisProjectsEpyc(), null, "off");
        assertNull(off.cpuType);
        assertTrue(off.reason.startsWith("NASBERT_MKL_DISPATCH=off"), off.reason);
    }

    @Test
    void anUnknownModeIsRefusedNamingTheVariable() throws Exception {
        CpuInfo epyc = thisProjectsEpyc();
        NasbertException e = assertThrows(NasbertException.class, () -> MklDispatch.decide(epyc, null, "fast"));
        assertEquals("NASBERT_MKL_DISPATCH=fast: expected auto (the default) or off", e.getMessage());
    }

    @Test
    void mklsCpuTypesHaveTheNamesOfItsKernelFamilies() {
        assertEquals("def (generic SSE2)", MklDispatch.pathName(0));
        assertEquals("avx2", MklDispatch.pathName(5));
        assertEquals("avx512", MklDispatch.pathName(7));
        assertEquals("type 11", MklDispatch.pathName(11));
    }

    @Test
    void versionStringsAreShortened() {
        assertEquals("2019.0.5", Machine.shortVersion(
                "Intel(R) Math Kernel Library Version 2019.0.5 Product Build 20190502 for Intel(R) 64 architecture applications"));
    }
}
