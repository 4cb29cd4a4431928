package org.nasbert.engine;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Collections;

/**
 * The few C calls that Java cannot make itself, through JNA's plain function lookup (no interface
 * proxies, so an older JNA on a cluster's classpath works too): the process environment that MKL reads,
 * and MKL's own report of the code path it dispatches to. Every call fails soft (false or null): the
 * caller records "unknown" rather than stopping a stage.
 */
final class NativeCalls {
    private static final int RTLD_LAZY = 1;
    private static final int RTLD_NOLOAD = 4;
    /** The SONAME of the MKL library in BigDL 0.13's natives (com.intel.analytics.bigdl.core.dist:all). */
    static final String MKL_LIBRARY = "libmklml_intel.so";

    private NativeCalls() {
    }

    /** setenv(3) in this process, so that native libraries loaded later see the value (System.getenv does not). */
    static boolean setenv(String name, String value) {
        try {
            prepareJna();
            Function setenv = NativeLibrary.getProcess().getFunction("setenv");
            return setenv.invokeInt(new Object[]{name, value, 1}) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** unsetenv(3) in this process. */
    static boolean unsetenv(String name) {
        try {
            prepareJna();
            return NativeLibrary.getProcess().getFunction("unsetenv").invokeInt(new Object[]{name}) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** getenv(3): what native code sees, which may differ from System.getenv after a setenv. */
    static String getenv(String name) {
        try {
            prepareJna();
            return NativeLibrary.getProcess().getFunction("getenv").invokeString(new Object[]{name}, false);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Whether MKL's library is mapped into this process (BigDL loads it when its MKL class initialises). */
    static boolean mklMapped() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
                if (line.contains(MKL_LIBRARY)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: BigDL's MKL natives exist for Linux only
        }
        return false;
    }

    /** mkl_serv_cpu_detect(): the CPU type MKL dispatches on (after MKL_DEBUG_CPU_TYPE); null if MKL is not loaded. */
    static Integer mklCpuType() {
        try {
            NativeLibrary mkl = loadedMkl();
            return mkl == null ? null : mkl.getFunction("mkl_serv_cpu_detect").invokeInt(new Object[0]);
        } catch (Throwable e) {
            return null;
        }
    }

    /** MKL_Get_Version_String: "Intel(R) Math Kernel Library Version 2019.0.5 Product Build ..."; null if not loaded. */
    static String mklVersion() {
        try {
            NativeLibrary mkl = loadedMkl();
            if (mkl == null) {
                return null;
            }
            byte[] buffer = new byte[256];
            mkl.getFunction("MKL_Get_Version_String").invoke(new Object[]{buffer, buffer.length});
            int end = 0;
            while (end < buffer.length && buffer[end] != 0) {
                end++;
            }
            return new String(buffer, 0, end, StandardCharsets.US_ASCII).trim();
        } catch (Throwable e) {
            return null;
        }
    }

    /** The MKL that BigDL loaded (RTLD_NOLOAD: never a second copy; BigDL deletes its extracted file after loading). */
    private static NativeLibrary loadedMkl() {
        if (!mklMapped()) {
            return null;
        }
        prepareJna();
        return NativeLibrary.getInstance(MKL_LIBRARY,
                Collections.singletonMap(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
    }

    /** JNA unpacks its own native into jna.tmpdir; YARN containers may not have a writable ~/.cache, so use java.io.tmpdir. */
    private static void prepareJna() {
        if (System.getProperty("jna.tmpdir") == null) {
            System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        }
    }
}
