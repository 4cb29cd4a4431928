package org.nasbert.io;

import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * How much a directory may still grow, and what limits it: the file system's free space and, on HDFS, the tightest space
 * quota among the directory and its ancestors. A quota counts every replica, so what it has left is divided by the
 * directory's replication. Quotas are read from content summaries, and a summary walks its whole subtree, so the top
 * level ({@code /user}, {@code /data}: the whole namespace beneath) and the root are not asked; quotas are set on the
 * directories below them ({@code /user/alice}, a project's directory).
 */
public final class SpaceLeft {
    private static final double GB = 1L << 30;
    /** Bytes the directory may still grow by; {@link Long#MAX_VALUE} when nothing says. */
    public final long bytes;
    /** What sets {@link #bytes}, for a message: "the file system of X has 1.2 GB free", "the space quota of /user/a ...". */
    public final String limit;

    private SpaceLeft(long bytes, String limit) {
        this.bytes = bytes;
        this.limit = limit;
    }

    public static SpaceLeft of(FileSystem fs, Path dir) throws IOException {
        Path qualified = fs.makeQualified(dir);
        long free = fs.getStatus(qualified).getRemaining();
        SpaceLeft left = free > 0 ? new SpaceLeft(free, String.format("the file system of %s has %.1f GB free", qualified, free / GB))
                : new SpaceLeft(Long.MAX_VALUE, "nothing");
        if (!"hdfs".equals(fs.getUri().getScheme())) {
            return left;
        }
        short replication = (short) Math.max(1, fs.getDefaultReplication(qualified));
        for (Path p = qualified; p != null && p.depth() >= 2; p = p.getParent()) {
            if (!fs.exists(p)) {
                continue;
            }
            ContentSummary summary = fs.getContentSummary(p);
            if (summary.getSpaceQuota() < 0) {
                continue;
            }
            long quotaLeft = Math.max(0, summary.getSpaceQuota() - summary.getSpaceConsumed()) / replication;
            if (quotaLeft < left.bytes) {
                left = new SpaceLeft(quotaLeft, String.format("the space quota of %s has %.1f GB left (%.1f GB of %.1f GB used, "
                        + "%d replicas a block)", p.toUri().getPath(), quotaLeft / GB, summary.getSpaceConsumed() / GB,
                        summary.getSpaceQuota() / GB, replication));
            }
        }
        return left;
    }
}
