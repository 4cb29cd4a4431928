package org.nasbert.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.nasbert.spark.SparkSessions;

/**
 * One Spark session in local[2] for a whole test JVM (as Spark's own SharedSparkContext), stopped
 * when the JVM exits; started again if something stopped it (NasbertMain stops the session it ran
 * in, and getOrCreate hands it this one).
 */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            SparkConf conf = SparkSessions.conf("nasbert-tests", "local[2]")
                    .set("spark.ui.enabled", "false")
                    .set("spark.sql.shuffle.partitions", "4")
                    .set("spark.driver.host", "127.0.0.1");
            boolean first = session == null;
            session = SparkSessions.start(conf);
            if (first) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
            }
        }
        return session;
    }
}
