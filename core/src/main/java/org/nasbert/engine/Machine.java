package org.nasbert.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a measurement or a trained model depends on in the JVM that made it: host, CPU (maker, model,
 * vector flags), the MKL code path that ran, and the JVM. Every stage manifest and every benchmark records it.
 */
public final class Machine {
    private Machine() {
    }

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host());
        m.put("cpu", CpuInfo.local().describe());
        m.put("mkl", MklDispatch.report());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    /** One line for a log or a benchmark's header: host, CPU, flags, MKL path and why, JVM. */
    @SuppressWarnings("unchecked")
    public static String summary() {
        Map<String, Object> m = describe();
        Map<String, Object> cpu = (Map<String, Object>) m.get("cpu");
        Map<String, Object> mkl = (Map<String, Object>) m.get("mkl");
        return String.format("%s: %s %s, %s cores [%s]; MKL %s, code path %s (%s); %s",
                m.get("host"), cpu.get("vendor"), cpu.get("model"), cpu.get("cores"), cpu.get("vector_flags"),
                mkl.containsKey("version") ? shortVersion(String.valueOf(mkl.get("version"))) : "", mkl.get("code_path"),
                mkl.get("chosen_by"), m.get("java"));
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** "Intel(R) Math Kernel Library Version 2019.0.5 Product Build 20190502 for ..." -> "2019.0.5". */
    static String shortVersion(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Version (\\S+)").matcher(version);
        return m.find() ? m.group(1) : version;
    }
}
