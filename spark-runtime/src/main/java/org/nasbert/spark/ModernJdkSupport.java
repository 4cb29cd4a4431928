package org.nasbert.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;

/**
 * Lets Spark 2.4's driver run on JDK 11+. Spark's ClosureCleaner, cleaning a Scala closure
 * transitively, reads the class files of the closure's outer classes up to java.lang.Object with its
 * shaded ASM 6, which rejects class files newer than Java 10 ("Unsupported class file major version
 * 61"): Parquet schema inference, for one, then fails. Spark 3 fixed it by moving to a newer ASM.
 *
 * <p>Here, before Spark loads it, the driver defines the shaded ASM ClassReader with that one bound
 * raised (the constant 54 in its version check); ASM 6 parses the JDK's own classes well enough for
 * what the cleaner does with them (find field accesses). On JDK 8, where Spark 2.4 clusters run,
 * this does nothing. Closure cleaning happens on the driver only, so executors need nothing.
 */
public final class ModernJdkSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ModernJdkSupport.class);
    private static final String CLASS_READER = "org.apache.xbean.asm6.ClassReader";
    /** readShort(offset + 6) > 54 (Java 10): bipush 54; if_icmple. */
    private static final byte[] VERSION_CHECK = {0x10, 0x36, (byte) 0xA4};
    private static boolean installed;

    private ModernJdkSupport() {
    }

    public static synchronized void install() {
        if (installed || javaVersion() <= 10) {
            return;
        }
        installed = true;
        ClassLoader loader = org.apache.spark.SparkContext.class.getClassLoader();
        try {
            Method findLoaded = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
            findLoaded.setAccessible(true);
            if (findLoaded.invoke(loader, CLASS_READER) != null) {
                LOG.warn("Spark's ASM ClassReader was loaded before the JDK {} fix could be applied; "
                        + "some Spark operations may fail with 'Unsupported class file major version'", javaVersion());
                return;
            }
            byte[] bytes = read(loader, CLASS_READER.replace('.', '/') + ".class");
            int at = indexOf(bytes, VERSION_CHECK);
            if (at < 0 || indexOf(bytes, VERSION_CHECK, at + 1) >= 0) {
                LOG.warn("unexpected {} bytecode; not patching it for JDK {}", CLASS_READER, javaVersion());
                return;
            }
            bytes[at + 1] = 0x7F;
            Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class,
                    int.class, int.class);
            define.setAccessible(true);
            define.invoke(loader, CLASS_READER, bytes, 0, bytes.length);
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            LOG.warn("cannot let Spark 2.4's closure cleaner read JDK {} class files ({}); run with "
                    + "--add-opens=java.base/java.lang=ALL-UNNAMED", javaVersion(), e.toString());
        }
    }

    static int javaVersion() {
        String spec = System.getProperty("java.specification.version", "1.8");
        return spec.startsWith("1.") ? Integer.parseInt(spec.substring(2)) : Integer.parseInt(spec.split("\\.")[0]);
    }

    private static byte[] read(ClassLoader loader, String resource) throws IOException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not found");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
