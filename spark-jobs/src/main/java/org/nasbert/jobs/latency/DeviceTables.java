package org.nasbert.jobs.latency;

import org.nasbert.NasbertException;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyTable;


/** latency.tables' devices: {@code name=<file>} pairs, and where the stage keeps each device's table. */
final class DeviceTables {
    private DeviceTables() {
    }

    static String file(String device) {
        return "tables/" + device + ".json";
    }

    static void requireKnownEngine(LatencyTable table, String file) {
        String engine = table.engine();
        if (!LatencyEngine.ONNXRUNTIME.equals(engine) && !LatencyEngine.BIGDL.equals(engine)) {
            throw new NasbertException(file + ": engine '" + engine + "' is not one nasbert times in; expected "
                    + LatencyEngine.ONNXRUNTIME + " or " + LatencyEngine.BIGDL);
        }
    }
}
