package org.nasbert.conf;

import org.nasbert.NasbertException;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One typed, documented setting. Its default lives in {@code conf/nasbert.properties} (the one
 * defaults file, bundled into the jar); the code holds the key, the type, the check and the doc.
 *
 * @param <T> the value type
 */
public final class Setting<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String doc;
    private final String expected;
    private final SerializableFunction<String, T> parser;
    private final SerializablePredicate<T> check;

    interface SerializableFunction<A, B> extends Function<A, B>, Serializable {
    }

    interface SerializablePredicate<A> extends Predicate<A>, Serializable {
    }

    private Setting(String key, String doc, String expected, SerializableFunction<String, T> parser,
                    SerializablePredicate<T> check) {
        this.key = key;
        this.doc = doc;
        this.expected = expected;
        this.parser = parser;
        this.check = check;
    }

    public static Setting<String> string(String key, String doc) {
        return new Setting<>(key, doc, "a string", s -> s, s -> true);
    }

    public static Setting<String> nonEmpty(String key, String doc) {
        return new Setting<>(key, doc, "a non-empty value", s -> s, s -> !s.isEmpty());
    }

    public static Setting<Integer> intInRange(String key, String doc, int min, int max) {
        return new Setting<>(key, doc, "an integer in [" + min + ", " + max + "]", Integer::valueOf,
                v -> v >= min && v <= max);
    }

    public static Setting<Long> longValue(String key, String doc) {
        return new Setting<>(key, doc, "an integer", Long::valueOf, v -> true);
    }

    public static Setting<Double> doubleInRange(String key, String doc, double min, double max) {
        return new Setting<>(key, doc, "a number in [" + min + ", " + max + "]", Double::valueOf,
                v -> v >= min && v <= max);
    }

    public static Setting<Boolean> bool(String key, String doc) {
        return new Setting<>(key, doc, "true or false", Setting::parseBoolean, v -> true);
    }

    public static Setting<String> oneOf(String key, String doc, String... choices) {
        List<String> allowed = Arrays.asList(choices);
        return new Setting<>(key, doc, "one of " + String.join(", ", choices), s -> s, allowed::contains);
    }

    /** A string matching {@code regex} in full; {@code expected} says what in the error. */
    public static Setting<String> matching(String key, String doc, String expected, String regex) {
        return new Setting<>(key, doc, expected, s -> s, s -> s.matches(regex));
    }

    private static Boolean parseBoolean(String s) {
        if ("true".equalsIgnoreCase(s)) {
            return true;
        }
        if ("false".equalsIgnoreCase(s)) {
            return false;
        }
        throw new IllegalArgumentException(s);
    }

    public String key() {
        return key;
    }

    public String doc() {
        return doc;
    }

    public String expected() {
        return expected;
    }

    /** The value of {@code raw}, or an error naming the key, the value and what was expected. */
    public T parse(String raw, String origin) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw invalid(raw, origin);
        }
        if (!check.test(value)) {
            throw invalid(raw, origin);
        }
        return value;
    }

    private NasbertException invalid(String raw, String origin) {
        return new NasbertException("setting " + key + " = '" + raw + "' (from " + origin + ") is invalid: expected "
                + expected);
    }

    @Override
    public String toString() {
        return key;
    }
}
