package org.nasbert.prep.corpus;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.CombineFileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.CombineFileRecordReader;
import org.apache.hadoop.mapreduce.lib.input.CombineFileSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CorpusInputFormat} with many small files packed into one split (grouped by node and rack,
 * up to {@link #MAX_SPLIT_BYTES}), so that a corpus of thousands of small files does not become
 * thousands of tiny tasks. Large splittable files are still cut at that size.
 */
public final class CombinedCorpusInputFormat extends CombineFileInputFormat<LongWritable, CorpusRecord> {
    /** Bytes per split; default 64 MB. */
    public static final String MAX_SPLIT_BYTES = "nasbert.corpus.split-bytes";

    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
        setMaxSplitSize(job.getConfiguration().getLong(MAX_SPLIT_BYTES, 64L << 20));
        return super.getSplits(job);
    }

    /**
     * Exactly the input paths, which the driver listed as files ({@code CorpusFiles}): Hadoop's own listing would drop
     * a file named in full whose name starts with _ or ., which the user asked for.
     */
    @Override
    protected List<FileStatus> listStatus(JobContext job) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (Path p : getInputPaths(job)) {
            out.add(p.getFileSystem(job.getConfiguration()).getFileStatus(p));
        }
        return out;
    }

    @Override
    protected boolean isSplitable(JobContext context, Path file) {
        return CorpusInputFormat.isSplitable(context.getConfiguration(), file);
    }

    @Override
    public RecordReader<LongWritable, CorpusRecord> createRecordReader(InputSplit split, TaskAttemptContext context)
            throws IOException {
        return new CombineFileRecordReader<>((CombineFileSplit) split, context, OneFile.class);
    }

    /** Reads the idx-th file (or part of a file) of a combined split. */
    public static final class OneFile extends RecordReader<LongWritable, CorpusRecord> {
        private final CorpusRecordReader reader = new CorpusRecordReader();
        private final FileSplit part;

        public OneFile(CombineFileSplit split, TaskAttemptContext context, Integer index) {
            this.part = new FileSplit(split.getPath(index), split.getOffset(index), split.getLength(index),
                    new String[0]);
        }

        @Override
        public void initialize(InputSplit ignored, TaskAttemptContext context) throws IOException {
            reader.initialize(part, context);
        }

        @Override
        public boolean nextKeyValue() throws IOException {
            return reader.nextKeyValue();
        }

        @Override
        public LongWritable getCurrentKey() {
            return reader.getCurrentKey();
        }

        @Override
        public CorpusRecord getCurrentValue() {
            return reader.getCurrentValue();
        }

        @Override
        public float getProgress() {
            return reader.getProgress();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
