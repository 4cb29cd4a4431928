package org.nasbert.tasks;

import org.nasbert.NasbertException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a task TSV in its {@link TaskFormat}. A file that is not the format (no header, a named column missing,
 * a GLUE test file without labels, nothing usable) is refused with the file and what was expected; single bad rows
 * (too few columns, an unknown label, a score that is not a number in [0, 5], empty text, bytes that are not UTF-8)
 * are skipped, counted by reason, and the first of them listed with file:line.
 */
public final class TaskReader {
    /** Rows listed by file:line in {@link Result#problems}; the rest are only counted. */
    static final int LISTED = 20;

    private TaskReader() {
    }

    /** The examples of one file and what was skipped. */
    public static final class Result {
        public final List<TaskExample> examples;
        /** Class names, index = {@link TaskExample#label}; null for regression. */
        public final List<String> labels;
        public final Map<String, Integer> skipped;
        public final List<String> problems;

        Result(List<TaskExample> examples, List<String> labels, Map<String, Integer> skipped, List<String> problems) {
            this.examples = Collections.unmodifiableList(examples);
            this.labels = labels;
            this.skipped = Collections.unmodifiableMap(skipped);
            this.problems = Collections.unmodifiableList(problems);
        }

        public int skippedTotal() {
            int n = 0;
            for (int c : skipped.values()) {
                n += c;
            }
            return n;
        }
    }

    public static Result read(InputStream in, String source, TaskFormat format) throws IOException {
        List<byte[]> lines = lines(in);
        Skips skips = new Skips();
        int[] columns = columns(lines, source, format); // the text columns, then the label's
        int first = format.header ? 1 : 0;
        List<String[]> rows = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        for (int i = first; i < lines.size(); i++) {
            String where = source + ":" + (i + 1);
            String[] cells = cells(lines.get(i), where, columns, skips);
            if (cells != null) {
                rows.add(cells);
                origins.add(where);
            }
        }
        int label = columns[columns.length - 1];
        List<String> classes = format.labels;
        if (format == TaskFormat.GENERIC) {
            TreeSet<String> seen = new TreeSet<>();
            for (String[] r : rows) {
                seen.add(r[label].trim());
            }
            classes = new ArrayList<>(seen);
        }
        List<TaskExample> examples = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            TaskExample e = example(rows.get(r), origins.get(r), columns, classes, format, skips);
            if (e != null) {
                examples.add(e);
            }
        }
        if (examples.isEmpty()) {
            throw new NasbertException(source + ": no usable " + format.key + " rows (" + skips.counts + "); first problems: "
                    + skips.problems);
        }
        return new Result(examples, format.regression() ? null : classes, skips.counts, skips.problems);
    }

    /** The text columns and then the label column: the format's positions, or found by name in its header. */
    private static int[] columns(List<byte[]> lines, String source, TaskFormat format) throws IOException {
        int[] texts = format.textColumns;
        int label = format.labelColumn;
        if (format.header) {
            if (lines.isEmpty()) {
                throw new NasbertException(source + ": empty; a " + format.key + " file starts with a header line");
            }
            String[] names = decode(lines.get(0)).split("\t", -1);
            texts = new int[format.textNames.length];
            for (int i = 0; i < texts.length; i++) {
                texts[i] = column(names, format.textNames[i], source, format);
            }
            label = column(names, format.labelName, source, format);
        }
        int[] out = java.util.Arrays.copyOf(texts, texts.length + 1);
        out[texts.length] = label;
        return out;
    }

    /** One line's cells; null (counted) when it is not UTF-8, empty, or short of a column. */
    private static String[] cells(byte[] bytes, String where, int[] columns, Skips skips) {
        String line;
        try {
            line = decode(bytes);
        } catch (CharacterCodingException e) {
            skips.skip("not UTF-8", where);
            return null;
        }
        if (line.trim().isEmpty()) {
            skips.skip("empty line", where);
            return null;
        }
        int needed = 0;
        for (int c : columns) {
            needed = Math.max(needed, c);
        }
        String[] cells = line.split("\t", -1);
        if (cells.length <= needed) {
            skips.skip("too few columns", where + ": " + cells.length + " columns, expected at least " + (needed + 1));
            return null;
        }
        return cells;
    }

    /** One row as an example; null (counted) when a text is empty or the label is not one of the task's. */
    private static TaskExample example(String[] cells, String where, int[] columns, List<String> classes, TaskFormat format,
                                       Skips skips) {
        String a = cells[columns[0]].trim();
        String b = columns.length > 2 ? cells[columns[1]].trim() : null;
        if (a.isEmpty() || (b != null && b.isEmpty())) {
            skips.skip("empty text", where);
            return null;
        }
        String value = cells[columns[columns.length - 1]].trim();
        if (format.regression()) {
            double score;
            try {
                score = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                score = Double.NaN;
            }
            if (!(score >= 0 && score <= 5)) {
                skips.skip("score not a number in [0, 5]", where + ": '" + value + "'");
                return null;
            }
            return new TaskExample(a, b, -1, score, where);
        }
        int id = classes.indexOf(value);
        if (id < 0) {
            skips.skip("unknown label", where + ": '" + value + "', expected one of " + classes);
            return null;
        }
        return new TaskExample(a, b, id, Double.NaN, where);
    }

    /** Rows skipped, counted by reason, the first {@link #LISTED} listed by file:line. */
    private static final class Skips {
        final Map<String, Integer> counts = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();

        void skip(String reason, String where) {
            counts.merge(reason, 1, Integer::sum);
            if (problems.size() < LISTED) {
                problems.add(where + (where.contains(": ") ? "" : ": " + reason));
            }
        }
    }

    private static int column(String[] names, String wanted, String source, TaskFormat format) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].trim().equals(wanted)) {
                return i;
            }
        }
        throw new NasbertException(source + ": the header has no column '" + wanted + "' (it has " + String.join(", ", names)
                + "); a " + format.key + " file in GLUE's layout needs it" + (wanted.equals(format.labelName)
                ? " (GLUE's test files have no labels)" : ""));
    }

    /** Lines as bytes (LF or CRLF), a leading UTF-8 byte order mark dropped. */
    private static List<byte[]> lines(InputStream in) throws IOException {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        boolean start = true;
        for (int n; (n = in.read(buffer)) > 0; ) {
            int from = 0;
            if (start && n >= 3 && (buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB && (buffer[2] & 0xFF) == 0xBF) {
                from = 3;
            }
            start = false;
            for (int i = from; i < n; i++) {
                if (buffer[i] == '\n') {
                    out.add(trimCr(line.toByteArray()));
                    line.reset();
                } else {
                    line.write(buffer[i]);
                }
            }
        }
        if (line.size() > 0) {
            out.add(trimCr(line.toByteArray()));
        }
        return out;
    }

    private static byte[] trimCr(byte[] b) {
        return b.length > 0 && b[b.length - 1] == '\r' ? java.util.Arrays.copyOf(b, b.length - 1) : b;
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }
}
