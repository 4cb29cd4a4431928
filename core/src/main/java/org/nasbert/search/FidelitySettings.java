package org.nasbert.search;

import org.nasbert.conf.Setting;

/** The fidelity stage's settings; defaults and docs in conf/nasbert.properties. */
public final class FidelitySettings {
    public static final Setting<Integer> ARCHITECTURES = Setting.intInRange("fidelity.architectures",
            "Students distilled standalone to measure how truly the search ranks (the search's chosen ones included, the rest "
                    + "spread over the candidates' size range)", 3, 10_000);
    public static final Setting<Integer> RESAMPLES = Setting.intInRange("fidelity.resamples",
            "Bootstrap resamples of the architectures behind each rank correlation's 95% interval", 100, 1_000_000);
    public static final Setting<Long> SEED = Setting.longValue("fidelity.seed",
            "Seed of the architectures' sample and of the bootstrap");

    private FidelitySettings() {
    }
}
