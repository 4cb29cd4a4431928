package org.nasbert.testing;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/** A real single-node HDFS (hadoop-minicluster) for tests; close it when done. */
public final class MiniHdfs implements AutoCloseable {
    private final File baseDir;
    private final MiniDFSCluster cluster;

    public MiniHdfs() throws IOException {
        Configuration conf = new Configuration();
        baseDir = Files.createTempDirectory("minidfs").toFile();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
    }

    public FileSystem fileSystem() throws IOException {
        return cluster.getFileSystem();
    }

    /** hdfs://host:port */
    public String uri() throws IOException {
        return fileSystem().getUri().toString();
    }

    @Override
    public void close() {
        cluster.shutdown();
        FileUtil.fullyDelete(baseDir);
    }
}
