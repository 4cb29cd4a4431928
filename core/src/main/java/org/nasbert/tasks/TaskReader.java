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
        int first = 0;
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
            first = 1;
        }
        int needed = label;
        for (int t : texts) {
            needed = Math.max(needed, t);
        }
        List<String[]> rows = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = first; i < lines.size(); i++) {
            String where = source + ":" + (i + 1);
            String line;
            try {
                line = decode(lines.get(i));
            } catch (CharacterCodingException e) {
                skip(skipped, problems, "not UTF-8", where);
                continue;
            }
            if (line.trim().isEmpty()) {
                skip(skipped, problems, "empty line", where);
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length <= needed) {
                skip(skipped, problems, "too few columns", where + ": " + cells.length + " columns, expected at least " + (needed + 1));
                continue;
            }
            rows.add(cells);
            origins.add(where);
        }
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
            String[] cells = rows.get(r);
            String where = origins.get(r);
            String a = cells[texts[0]].trim();
            String b = texts.length > 1 ? cells[texts[1]].trim() : null;
            if (a.isEmpty() || (b != null && b.isEmpty())) {
                skip(skipped, problems, "empty text", where);
                continue;
            }
            String value = cells[label].trim();
            if (format.regression()) {
                double score;
                try {
                    score = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    score = Double.NaN;
                }
                if (!(score >= 0 && score <= 5)) {
                    skip(skipped, problems, "score not a number in [0, 5]", where + ": '" + value + "'");
                    continue;
                }
                examples.add(new TaskExample(a, b, -1, score, where));
            } else {
                int id = classes.indexOf(value);
                if (id < 0) {
                    skip(skipped, problems, "unknown label", where + ": '" + value + "', expected one of " + classes);
                    continue;
                }
                examples.add(new TaskExample(a, b, id, Double.NaN, where));
            }
        }
        if (examples.isEmpty()) {
            throw new NasbertException(source + ": no usable " + format.key + " rows (" + skipped + "); first problems: " + problems);
        }
        return new Result(examples, format.regression() ? null : classes, skipped, problems);
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

    private static void skip(Map<String, Integer> skipped, List<String> problems, String reason, String where) {
        skipped.merge(reason, 1, Integer::sum);
        if (problems.size() < LISTED) {
            problems.add(where + (where.contains(": ") ? "" : ": " + reason));
        }
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
