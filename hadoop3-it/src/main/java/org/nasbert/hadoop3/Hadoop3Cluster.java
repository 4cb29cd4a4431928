package org.nasbert.hadoop3;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * A Hadoop 3 cluster in a JVM of its own, as a cluster is to the machine that submits to it: HDFS (one NameNode, one
 * DataNode) and YARN (one ResourceManager, one NodeManager) of hadoop-client-minicluster.
 *
 * <pre>java -cp &lt;this module's classes and classpath.txt&gt; org.nasbert.hadoop3.Hadoop3Cluster WORK_DIR</pre>
 *
 * It writes the clients' configuration to WORK_DIR/conf (what HADOOP_CONF_DIR holds on a gateway machine), then
 * WORK_DIR/ready (the file system's URI, then the NodeManager's log directory), and runs until its standard input
 * closes: the process that started it holds the pipe, so the cluster ends with it, even when that process is killed.
 */
public final class Hadoop3Cluster {
    private Hadoop3Cluster() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Hadoop3Cluster WORK_DIR");
            System.exit(2);
        }
        File work = new File(args[0]).getAbsoluteFile();
        Configuration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(work, "dfs").getAbsolutePath());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        String fsUri = hdfs.getFileSystem().getUri().toString();
        conf.set("fs.defaultFS", fsUri);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
        // the CapacityScheduler (EMR's and Hadoop 3's default) with one queue; the minicluster ships no capacity-scheduler.xml
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
        // a failed application master gets a second attempt, as on a production cluster (the minicluster's default: 1)
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 2);
        MiniYARNCluster yarn = new MiniYARNCluster("nasbert-hadoop3", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        writeClientConf(new File(work, "conf"), yarn.getConfig(), fsUri);
        File ready = new File(work, "ready");
        File tmp = new File(work, "ready.tmp");
        Files.write(tmp.toPath(), (fsUri + "\n" + yarn.getTestWorkDir().getAbsolutePath() + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(tmp.toPath(), ready.toPath(), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("hadoop3 cluster ready: " + fsUri);
        while (System.in.read() >= 0) {
            // the starter's end of the pipe is open: keep running
        }
        yarn.stop();
        hdfs.shutdown();
        System.exit(0);
    }

    private static void writeClientConf(File dir, Configuration yarnConf, String fsUri) throws IOException {
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        Configuration client = new Configuration(yarnConf);
        client.set("fs.defaultFS", fsUri);
        // the minicluster maps racks with a class of Hadoop's test code, which no container has
        client.set("net.topology.node.switch.mapping.impl", "org.apache.hadoop.net.ScriptBasedMapping");
        for (String name : new String[]{"core-site.xml", "yarn-site.xml", "hdfs-site.xml"}) {
            try (OutputStream out = new FileOutputStream(new File(dir, name))) {
                client.writeXml(out);
            }
        }
    }
}
