package org.nasbert.search;

import org.nasbert.NasbertException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A limit on a whole student: parameters, predicted latency, or both. Text form {@code params=10M},
 * {@code latency=8ms}, {@code params=10M,latency=8ms}; several constraints are separated by ';'.
 * Parameters take K/M/G suffixes; latency ms or us. Latency on a named device's table: {@code latency@edge=8ms}
 * (without a name, the run's own table).
 */
public final class Constraint {
    public static final long NONE = Long.MAX_VALUE;
    private final String text;
    private final long maxParameters;
    private final long maxLatencyNs;
    private final String device;

    public Constraint(String text, long maxParameters, long maxLatencyNs) {
        this(text, maxParameters, maxLatencyNs, null);
    }

    public Constraint(String text, long maxParameters, long maxLatencyNs, String device) {
        this.text = text;
        this.maxParameters = maxParameters;
        this.maxLatencyNs = maxLatencyNs;
        this.device = device;
    }

    /** The device whose table the latency limit is on; null for the run's own. */
    public String device() {
        return device;
    }

    public long maxParameters() {
        return maxParameters;
    }

    public long maxLatencyNs() {
        return maxLatencyNs;
    }

    /** The canonical text, also the constraint's name in outputs. */
    @Override
    public String toString() {
        return text;
    }

    /** Parses a ';'-separated list; {@code source} (the setting) is named in errors. */
    public static List<Constraint> parseAll(String text, String source) {
        List<Constraint> out = new ArrayList<>();
        for (String part : text.split(";")) {
            if (!part.trim().isEmpty()) {
                out.add(parse(part.trim(), source));
            }
        }
        if (out.isEmpty()) {
            throw new NasbertException(source + " = '" + text + "': no constraint; expected e.g. params=10M;latency=8ms");
        }
        return out;
    }

    public static Constraint parse(String text, String source) {
        long params = NONE;
        long latency = NONE;
        String device = null;
        List<String> names = new ArrayList<>();
        for (String term : text.split(",")) {
            int eq = term.indexOf('=');
            String key = eq < 0 ? "" : term.substring(0, eq).trim();
            String value = eq < 0 ? "" : term.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.equals("params") && params == NONE) {
                params = count(value, text, source);
                names.add("params=" + value.toUpperCase(Locale.ROOT));
            } else if ((lower.equals("latency") || lower.matches("latency@[a-z0-9_-]+")) && latency == NONE) {
                latency = nanos(value, text, source);
                device = lower.equals("latency") ? null : key.substring(key.indexOf('@') + 1);
                names.add(key.substring(0, 7).toLowerCase(Locale.ROOT) + (device == null ? "" : "@" + device) + "=" + value);
            } else {
                throw new NasbertException(source + ": constraint '" + text + "': term '" + term.trim() + "' is not params=<count>, "
                        + "latency=<time> or latency@<device>=<time> (params and latency each at most once), e.g. "
                        + "params=10M,latency@edge=8ms");
            }
        }
        return new Constraint(String.join(",", names), params, latency, device);
    }

    private static long count(String value, String text, String source) {
        double scale = 1;
        String digits = value;
        if (value.endsWith("k")) {
            scale = 1e3;
        } else if (value.endsWith("m")) {
            scale = 1e6;
        } else if (value.endsWith("g")) {
            scale = 1e9;
        }
        if (scale != 1) {
            digits = value.substring(0, value.length() - 1);
        }
        return Math.round(number(digits, text, source, "a parameter count such as 5M, 500K or 5000000") * scale);
    }

    private static long nanos(String value, String text, String source) {
        if (value.endsWith("ms")) {
            return Math.round(number(value.substring(0, value.length() - 2), text, source, "a time such as 8ms or 800us") * 1e6);
        }
        if (value.endsWith("us")) {
            return Math.round(number(value.substring(0, value.length() - 2), text, source, "a time such as 8ms or 800us") * 1e3);
        }
        throw new NasbertException(source + ": constraint '" + text + "': latency '" + value + "' needs a unit, ms or us (e.g. 8ms)");
    }

    private static double number(String digits, String text, String source, String expected) {
        try {
            double v = Double.parseDouble(digits.trim());
            if (v > 0 && !Double.isInfinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new NasbertException(source + ": constraint '" + text + "': '" + digits + "' is not " + expected);
    }
}
