package org.nasbert.prep.corpus;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Reads a text corpus as documents ({@link CorpusRecord}s), with Hadoop's splits and locality.
 * In 'paragraphs' mode uncompressed files are split across tasks at document boundaries; a
 * compressed file, or any file in 'file' mode, is read whole by one task.
 */
public final class CorpusInputFormat extends FileInputFormat<LongWritable, CorpusRecord> {
    /** 'file' or 'paragraphs'. */
    public static final String DOCUMENT_MODE = "nasbert.corpus.document";
    public static final String MAX_LINE_BYTES = "nasbert.corpus.max-line-bytes";

    private static final Map<Configuration, CompressionCodecFactory> CODECS =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * One codec factory per job configuration: building one scans every jar's META-INF/services,
     * which per file costs more than reading a small file.
     */
    static CompressionCodecFactory codecs(Configuration conf) {
        return CODECS.computeIfAbsent(conf, CompressionCodecFactory::new);
    }

    static boolean isSplitable(Configuration conf, Path file) {
        boolean paragraphs = "paragraphs".equals(conf.get(DOCUMENT_MODE, "file"));
        return paragraphs && codecs(conf).getCodec(file) == null;
    }

    @Override
    protected boolean isSplitable(JobContext context, Path file) {
        return isSplitable(context.getConfiguration(), file);
    }

    @Override
    public RecordReader<LongWritable, CorpusRecord> createRecordReader(InputSplit split, TaskAttemptContext context) {
        return new CorpusRecordReader();
    }
}
