package org.nasbert.engine;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Chooses MKL's code path in core's test JVM before a test class can load BigDL's MKL. The other
 * modules' test JVMs get test-kit's MklDispatchSession; core's tests cannot depend on test-kit,
 * which is built on core.
 */
public final class CoreTestsMklSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        MklDispatch.prepare();
    }
}
