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
    /** Lists and parsed values are recorded as the text given, which reads back as the same value. */
    private final boolean recordsText;

    public interface SerializableFunction<A, B> extends Function<A, B>, Serializable {
    }

    interface SerializablePredicate<A> extends Predicate<A>, Serializable {
    }

    private Setting(String key, String doc, String expected, SerializableFunction<String, T> parser,
                    SerializablePredicate<T> check) {
        this(key, doc, expected, parser, check, false);
    }

    private Setting(String key, String doc, String expected, SerializableFunction<String, T> parser,
                    SerializablePredicate<T> check, boolean recordsText) {
        this.recordsText = recordsText;
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

    /** Comma-separated integers, at least one, each in [min, max]. */
    public static Setting<List<Integer>> intList(String key, String doc, int min, int max) {
        return new Setting<>(key, doc, "comma-separated integers in [" + min + ", " + max + "]", Setting::parseInts,
                v -> !v.isEmpty() && v.stream().allMatch(x -> x >= min && x <= max), true);
    }

    /** Comma-separated non-empty items, at least one. */
    public static Setting<List<String>> list(String key, String doc) {
        return new Setting<>(key, doc, "comma-separated non-empty values", Setting::parseItems,
                v -> !v.isEmpty() && v.stream().noneMatch(String::isEmpty), true);
    }

    /**
     * A value of any type: {@code parser} turns the text into it, and refuses bad text with a {@link NasbertException}
     * that says what is wrong (passed on as it is) or with another exception (reported as "expected {@code expected}").
     */
    public static <T> Setting<T> parsed(String key, String doc, String expected, SerializableFunction<String, T> parser) {
        return new Setting<>(key, doc, expected, parser, v -> true, true);
    }

    private static List<Integer> parseInts(String s) {
        List<Integer> out = new java.util.ArrayList<>();
        for (String part : parseItems(s)) {
            out.add(Integer.valueOf(part));
        }
        return java.util.Collections.unmodifiableList(out);
    }

    private static List<String> parseItems(String s) {
        List<String> out = new java.util.ArrayList<>();
        for (String part : s.split(",", -1)) {
            out.add(part.trim());
        }
        return java.util.Collections.unmodifiableList(out);
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

    /**
     * The value as manifests and checkpoint keys record it: the value's own text for numbers, strings and choices,
     * the text given (trimmed) for lists and parsed values.
     */
    String recorded(T value, String raw) {
        return recordsText ? raw.trim() : String.valueOf(value);
    }

    /** The value of {@code raw}, or an error naming the key, the value and what was expected. */
    public T parse(String raw, String origin) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (NasbertException e) {
            throw e; // the parser said what is wrong
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
