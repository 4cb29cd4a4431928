package org.nasbert.prep.corpus;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one split into documents. Ownership at split boundaries follows Hadoop's LineRecordReader:
 * a split [s, e) owns the lines that start in (s, e] (from 0 for the first split), and a document
 * belongs to the split that owns its first line; the owner reads past e to the document's end.
 * Blank lines (ASCII whitespace only) separate documents in 'paragraphs' mode.
 */
final class CorpusRecordReader extends RecordReader<LongWritable, CorpusRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(CorpusRecordReader.class);
    static final int BINARY_PROBE_BYTES = 8192;
    static final int LINES_PER_RECORD = 2048;

    private String file;
    private boolean paragraphs;
    private int maxLineBytes;
    private long end;
    private boolean compressed;
    private InputStream stream;
    private ByteLineReader lines;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    private boolean previousBlank;
    private boolean done;
    private long docId;
    private List<String> docLines = new ArrayList<>();
    private CorpusCounts counts = new CorpusCounts();
    private CorpusRecord current;
    private final LongWritable key = new LongWritable();
    private long startOffset;

    @Override
    public void initialize(InputSplit genericSplit, TaskAttemptContext context) throws IOException {
        FileSplit split = (FileSplit) genericSplit;
        Configuration conf = context.getConfiguration();
        Path path = split.getPath();
        FileSystem fs = path.getFileSystem(conf);
        file = fs.makeQualified(path).toString();
        paragraphs = "paragraphs".equals(conf.get(CorpusInputFormat.DOCUMENT_MODE, "file"));
        maxLineBytes = conf.getInt(CorpusInputFormat.MAX_LINE_BYTES, 1 << 20);
        long start = split.getStart();
        end = start + split.getLength();
        FSDataInputStream raw = fs.open(path);
        CompressionCodec codec = CorpusInputFormat.codecs(conf).getCodec(path);
        startOffset = start;
        if (codec != null) {
            compressed = true;
            end = Long.MAX_VALUE;
            stream = openDecompressed(codec, raw);
            initCompressed(stream);
        } else {
            stream = raw;
            initPlain(raw, start);
        }
    }

    private InputStream openDecompressed(CompressionCodec codec, FSDataInputStream raw) throws IOException {
        try {
            return codec.createInputStream(raw);
        } catch (IOException e) {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    throw e;
                }
            };
        }
    }

    /**
     * Probes the head of the decompressed stream (binary? empty?) and hands the probed bytes to the
     * line reader, so that what decompressed before any damage is kept.
     */
    private void initCompressed(InputStream decompressed) {
        byte[] head = new byte[BINARY_PROBE_BYTES];
        int n = 0;
        IOException damage = null;
        try {
            for (int r = 0; n < head.length && r >= 0; n += Math.max(r, 0)) {
                r = decompressed.read(head, n, head.length - n);
            }
        } catch (IOException e) {
            damage = e;
        }
        if (damage != null && n == 0) {
            counts.increment(CorpusCount.FILES_READ);
            damagedCompressedFile(damage);
            return;
        }
        if (isReadableText(head, n, true)) {
            IOException pending = damage;
            InputStream rest = pending == null ? decompressed : new InputStream() {
                @Override
                public int read() throws IOException {
                    throw pending;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    throw pending;
                }
            };
            lines = new ByteLineReader(rest, 0, maxLineBytes, head, n);
            previousBlank = true;
        }
    }

    private void initPlain(FSDataInputStream raw, long start) throws IOException {
        byte[] head = new byte[BINARY_PROBE_BYTES];
        int n = 0;
        for (int r = 0; n < head.length && r >= 0; n += Math.max(r, 0)) {
            r = raw.read(n, head, n, head.length - n);
        }
        boolean firstSplit = start == 0;
        if (!isReadableText(head, n, firstSplit)) {
            return;
        }
        if (firstSplit) {
            previousBlank = true;
        } else {
            // The line holding byte 'start' belongs to the previous split; whether it is blank decides
            // whether the line after it starts a document.
            previousBlank = ByteLineReader.lineAtIsBlank(raw, start, maxLineBytes);
        }
        raw.seek(start);
        lines = new ByteLineReader(raw, start, maxLineBytes);
        if (!firstSplit) {
            lines.next();
        }
    }

    /**
     * False for an empty or binary (NUL within the first bytes) file, which is then done; the file is
     * counted (read, empty or binary) by the split that starts it.
     */
    private boolean isReadableText(byte[] head, int n, boolean countFile) {
        CorpusCount kind = CorpusCount.FILES_READ;
        if (n == 0) {
            kind = CorpusCount.EMPTY_FILE;
        } else {
            for (int i = 0; i < n; i++) {
                if (head[i] == 0) {
                    kind = CorpusCount.BINARY_FILE;
                    if (countFile) {
                        LOG.warn("skipping binary file {} (NUL byte at offset {})", file, i);
                    }
                    break;
                }
            }
        }
        if (countFile) {
            counts.increment(kind);
        }
        if (kind != CorpusCount.FILES_READ) {
            done = true;
            return false;
        }
        return true;
    }

    @Override
    public boolean nextKeyValue() throws IOException {
        current = null;
        while (current == null && !done) {
            readLine();
        }
        if (current == null && !counts.isZero()) {
            current = new CorpusRecord(0, new ArrayList<>(), false, counts);
            counts = new CorpusCounts();
        }
        return current != null;
    }

    private void readLine() throws IOException {
        boolean more;
        try {
            more = lines != null && lines.next();
        } catch (IOException e) {
            if (!compressed) {
                throw e;
            }
            damagedCompressedFile(e);
            more = false;
        }
        if (!more) {
            done = true;
            endDocument();
            return;
        }
        if (lines.blank) {
            if (paragraphs) {
                endDocument();
                previousBlank = true;
                done = lines.lineStart > end;
            }
            return;
        }
        boolean startsDocument = docId == 0 && (paragraphs ? previousBlank : true);
        previousBlank = false;
        if (startsDocument) {
            if (lines.lineStart > end) {
                done = true;
                return;
            }
            docId = DocumentIds.of(file, lines.lineStart);
        }
        if (docId == 0) {
            return;  // the tail of a document owned by the previous split
        }
        addLine();
        if (docLines.size() >= LINES_PER_RECORD) {
            emit(false);
        }
    }

    private void addLine() {
        counts.increment(CorpusCount.LINES);
        if (lines.tooLong) {
            counts.increment(CorpusCount.LINE_TOO_LONG);
            return;
        }
        try {
            CharBuffer chars = utf8.decode(ByteBuffer.wrap(lines.line, 0, lines.lineLength));
            String text = chars.toString();
            if (lines.lineStart == 0 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            docLines.add(text);
        } catch (CharacterCodingException e) {
            counts.increment(CorpusCount.INVALID_UTF8_LINE);
        }
    }

    private void endDocument() {
        if (docId != 0) {
            emit(true);
            docId = 0;
        }
    }

    private void emit(boolean endsDocument) {
        current = new CorpusRecord(docId, docLines, endsDocument, counts);
        key.set(docId);
        docLines = new ArrayList<>();
        counts = new CorpusCounts();
    }

    private void damagedCompressedFile(IOException e) {
        LOG.warn("{} is truncated or corrupt ({}); keeping what was read before the damage", file, e.toString());
        counts.increment(CorpusCount.TRUNCATED_OR_CORRUPT_COMPRESSED_FILE);
        done = true;
    }

    @Override
    public LongWritable getCurrentKey() {
        return key;
    }

    @Override
    public CorpusRecord getCurrentValue() {
        return current;
    }

    @Override
    public float getProgress() {
        if (compressed || lines == null || end == startOffset) {
            return done ? 1f : 0f;
        }
        return Math.min(1f, (lines.position() - startOffset) / (float) (end - startOffset));
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
        }
    }
}
