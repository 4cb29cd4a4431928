package org.nasbert.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.nasbert.engine.MklDispatch;

/**
 * Chooses MKL's code path in every test JVM before any test class can load BigDL's MKL, as bin/nasbert,
 * the executors and the benchmarks do; registered through META-INF/services (in test-kit, so the
 * other modules' test JVMs run it too).
 */
public final class MklDispatchSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        MklDispatch.prepare();
    }
}
