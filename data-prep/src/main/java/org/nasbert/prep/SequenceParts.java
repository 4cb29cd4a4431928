package org.nasbert.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nasbert.NasbertException;
import org.nasbert.io.RunDirectory;
import org.nasbert.prep.corpus.CorpusCounts;
import org.nasbert.text.PackedSequence;

import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The tokenize job's output commit, in small: each task writes its partition's sequences to a Parquet file of its own
 * attempt under {@code data/_temporary}, and returns that file with the partition's counts; the driver moves the one
 * file per partition that Spark handed back into place as {@code part-NNNNN}, then drops {@code _temporary}, so a
 * failed or speculative attempt's file is never read.
 */
final class SequenceParts implements Function2<Integer, Iterator<TokenizedItem>, Iterator<SequenceParts.Part>> {
    private static final long serialVersionUID = 1L;
    private static final String ATTEMPTS = "_temporary";

    private final Broadcast<SerializableWritable<Configuration>> conf;
    private final String data;
    private final CompressionCodecName codec;

    SequenceParts(Broadcast<SerializableWritable<Configuration>> conf, Path data, CompressionCodecName codec) {
        this.conf = conf;
        this.data = data.toString();
        this.codec = codec;
    }

    /** What one task wrote: its partition, the attempt's file (null when the partition had no sequence), its counts. */
    static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        final int partition;
        final String file;
        final CorpusCounts counts;

        Part(int partition, String file, CorpusCounts counts) {
            this.partition = partition;
            this.file = file;
            this.counts = counts;
        }
    }

    @Override
    public Iterator<Part> call(Integer partition, Iterator<TokenizedItem> items) throws IOException {
        CorpusCounts counts = new CorpusCounts();
        Path file = new Path(new Path(data, ATTEMPTS), String.format(Locale.ROOT, "part-%05d.attempt-%d%s",
                partition, TaskContext.get().taskAttemptId(), extension(codec)));
        ParquetWriter<PackedSequence> writer = null;
        try {
            while (items.hasNext()) {
                TokenizedItem item = items.next();
                if (item.counts != null) {
                    counts.merge(item.counts);
                } else {
                    if (writer == null) {
                        writer = SequenceWriteSupport.open(file, conf.value().value(), codec);
                    }
                    writer.write(item.sequence);
                }
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        return Collections.singletonList(new Part(partition, writer == null ? null : file.toString(), counts)).iterator();
    }

    /** Moves each partition's file into {@code data} as part-NNNNN, drops the attempts, marks _SUCCESS; the counts added up. */
    static CorpusCounts commit(FileSystem fs, Path data, List<Part> parts, CompressionCodecName codec) throws IOException {
        CorpusCounts total = new CorpusCounts();
        for (Part part : parts) {
            total.merge(part.counts);
            if (part.file != null) {
                Path target = new Path(data, String.format(Locale.ROOT, "part-%05d%s", part.partition, extension(codec)));
                if (!fs.rename(new Path(part.file), target)) {
                    throw new IOException("could not move " + part.file + " to " + target);
                }
            }
        }
        fs.delete(new Path(data, ATTEMPTS), true);
        fs.create(new Path(data, RunDirectory.SUCCESS), true).close();
        return total;
    }

    /** Spark's spark.sql.parquet.compression.codec as parquet-mr names it (Spark's "none" is "uncompressed"). */
    static CompressionCodecName codecName(String sparkCodec) {
        String name = sparkCodec.trim().toUpperCase(Locale.ROOT);
        try {
            return "NONE".equals(name) ? CompressionCodecName.UNCOMPRESSED : CompressionCodecName.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new NasbertException("spark.sql.parquet.compression.codec = '" + sparkCodec
                    + "' is not a Parquet codec; expected one of none, uncompressed, snappy, gzip, lzo, brotli, lz4, zstd");
        }
    }

    private static String extension(CompressionCodecName codec) {
        return codec.getExtension() + ".parquet";
    }
}
