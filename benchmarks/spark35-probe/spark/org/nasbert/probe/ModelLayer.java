package org.nasbert.probe;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The seam, Spark 3.5's side: the model layer (nasbert-core, BigDL 0.13, Scala 2.11, Spark 2.4's classes that
 * BigDL links against) in a class loader of its own whose parent is the JDK's platform loader, so none of this
 * JVM's Scala 2.12 or Spark 3.5 classes are visible to it, as Spark isolates a Hive metastore client. Calls cross
 * as {@code Function<Object[], Object[]>} of JDK types. One loader a JVM: a native library (MKL) can be bound
 * to one class loader only.
 */
final class ModelLayer {
    private static Function<Object[], Object[]> entry;
    private static ClassLoader loader;
    static long createdNanos;
    static long metaspaceBytes;

    private ModelLayer() {
    }

    /** This JVM's entry, built on first use from the jars listed in the file named by -Dnasbert.model.classpath. */
    static synchronized Function<Object[], Object[]> entry() {
        if (entry == null) {
            long metaspace = metaspaceUsed();
            long start = System.nanoTime();
            loader = isolatedLoader(System.getProperty("nasbert.model.classpath"));
            entry = newEntry(loader);
            createdNanos = System.nanoTime() - start;
            metaspaceBytes = metaspaceUsed() - metaspace;
        }
        return entry;
    }

    static ClassLoader isolatedLoader(String classpathFile) {
        try {
            String text = new String(Files.readAllBytes(new File(classpathFile).toPath()), StandardCharsets.UTF_8).trim();
            List<URL> urls = new ArrayList<>();
            for (String path : text.split(File.pathSeparator)) {
                urls.add(new File(path).toURI().toURL());
            }
            return new URLClassLoader("nasbert-model-layer", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        } catch (IOException e) {
            throw new IllegalStateException("nasbert.model.classpath: cannot read " + classpathFile, e);
        }
    }

    /** The entry with the loader as the calling thread's context loader while it runs (Scala and BigDL look there). */
    @SuppressWarnings("unchecked")
    static Function<Object[], Object[]> newEntry(ClassLoader loader) {
        try {
            Function<Object[], Object[]> inner = (Function<Object[], Object[]>) loader.loadClass("org.nasbert.probe.BlockStepEntry")
                    .getDeclaredConstructor().newInstance();
            return in -> {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(loader);
                try {
                    return inner.apply(in);
                } finally {
                    thread.setContextClassLoader(previous);
                }
            };
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the model layer's entry cannot be made", e);
        }
    }

    static long metaspaceUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().contains("Metaspace") || pool.getName().contains("Compressed Class")) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
