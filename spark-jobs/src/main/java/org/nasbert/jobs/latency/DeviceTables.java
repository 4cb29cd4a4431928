package org.nasbert.jobs.latency;

import org.nasbert.NasbertException;
import org.nasbert.latency.LatencyEngine;
import org.nasbert.latency.LatencyTable;

import java.util.LinkedHashMap;
import java.util.Map;

/** latency.tables' devices: {@code name=<file>} pairs, and where the stage keeps each device's table. */
final class DeviceTables {
    private DeviceTables() {
    }

    /** name -> file, in the order written; a name given twice is refused. */
    static Map<String, String> parse(String text, String setting) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.trim().isEmpty()) {
            return out;
        }
        for (String entry : text.split(",")) {
            int eq = entry.indexOf('=');
            String name = entry.substring(0, eq).trim();
            if (out.put(name, entry.substring(eq + 1).trim()) != null) {
                throw new NasbertException(setting + " = '" + text + "': device '" + name + "' is given twice");
            }
        }
        return out;
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
