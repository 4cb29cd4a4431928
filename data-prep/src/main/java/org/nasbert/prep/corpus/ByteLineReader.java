package org.nasbert.prep.corpus;

import org.apache.hadoop.fs.FSDataInputStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads '\n'-terminated lines as bytes, tracking each line's byte offset. Keeps at most
 * {@code maxLineBytes} bytes of a line (longer lines are reported as too long, their bytes skipped
 * without buffering). A line's length counts every byte before '\n' (a '\r' too, which the content
 * drops).
 */
final class ByteLineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int bufferPos;
    private int bufferEnd;
    private long position;

    byte[] line = new byte[1024];
    int lineLength;
    long lineStart;
    boolean tooLong;
    boolean blank;

    ByteLineReader(InputStream in, long startPosition, int maxLineBytes) {
        this(in, startPosition, maxLineBytes, new byte[0], 0);
    }

    /** A reader whose first {@code prefixLength} bytes were already read from {@code in} (a probe). */
    ByteLineReader(InputStream in, long startPosition, int maxLineBytes, byte[] prefix, int prefixLength) {
        this.in = in;
        this.position = startPosition;
        this.maxLineBytes = maxLineBytes;
        System.arraycopy(prefix, 0, buffer, 0, prefixLength);
        this.bufferEnd = prefixLength;
    }

    /** Position of the next unread byte. */
    long position() {
        return position;
    }

    /** Reads the next line into {@link #line}; false at end of input. */
    boolean next() throws IOException {
        lineStart = position;
        lineLength = 0;
        tooLong = false;
        blank = true;
        long length = 0;
        boolean any = false;
        while (true) {
            if (bufferPos == bufferEnd) {
                bufferEnd = in.read(buffer, 0, buffer.length);
                bufferPos = 0;
                if (bufferEnd <= 0) {
                    bufferEnd = 0;
                    return any;
                }
            }
            any = true;
            int start = bufferPos;
            int newline = -1;
            for (int i = bufferPos; i < bufferEnd; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline >= 0 ? newline : bufferEnd;
            append(buffer, start, end - start, length);
            length += end - start;
            bufferPos = newline >= 0 ? newline + 1 : bufferEnd;
            position += bufferPos - start;
            if (newline >= 0) {
                break;
            }
        }
        finishLine(length);
        return true;
    }

    private void append(byte[] bytes, int from, int n, long lengthSoFar) {
        for (int i = from; i < from + n && blank; i++) {
            blank = isBlankByte(bytes[i]);
        }
        if (lengthSoFar + n > maxLineBytes) {
            tooLong = true;
            return;
        }
        if (lineLength + n > line.length) {
            byte[] bigger = new byte[Math.max(line.length * 2, lineLength + n)];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        System.arraycopy(bytes, from, line, lineLength, n);
        lineLength += n;
    }

    private void finishLine(long length) {
        if (length > maxLineBytes) {
            tooLong = true;
        }
        if (tooLong) {
            blank = false;
            lineLength = 0;
        } else if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
    }

    /** ASCII whitespace; a line of only these separates documents. */
    static boolean isBlankByte(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == 0x0B || b == 0x0C;
    }

    /** Whether the line containing byte {@code at - 1}..{@code at} (the one split at 'at') is blank. */
    static boolean lineAtIsBlank(FSDataInputStream raw, long at, int maxLineBytes) throws IOException {
        // Forward part: from 'at' to the newline.
        ByteLineReader forward = new ByteLineReader(raw, at, maxLineBytes);
        raw.seek(at);
        if (!forward.next()) {
            return true;
        }
        long forwardLength = forward.position() - at - 1;
        if (!forward.blank) {
            return false;
        }
        // Backward part: from 'at - 1' back to the previous newline.
        long length = Math.max(forwardLength, 0);
        byte[] chunk = new byte[4096];
        long pos = at;
        while (pos > 0) {
            int n = (int) Math.min(chunk.length, pos);
            raw.readFully(pos - n, chunk, 0, n);
            for (int i = n - 1; i >= 0; i--) {
                if (chunk[i] == '\n') {
                    return true;
                }
                if (!isBlankByte(chunk[i]) || ++length > maxLineBytes) {
                    return false;
                }
            }
            pos -= n;
        }
        return true;
    }
}
