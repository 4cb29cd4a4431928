"""nasbert-spark as an Airflow DAG: one SparkSubmitOperator per pipeline stage, on YARN.

Every task submits the shaded application jar with `--master yarn --deploy-mode cluster` and the same
application arguments bin/nasbert takes (`<stage> --run <dir> --conf-file <file> ...`). The run directory
is scoped to the DAG run, so a retried task resumes its own run (a finished stage is skipped, an
interrupted one resumes from its checkpoints) and two DAG runs never share outputs.

Airflow Variables (all optional; defaults in brackets):
  nasbert_jar       the application jar on HDFS [hdfs:///apps/nasbert/nasbert-spark-jobs-app.jar]
  nasbert_settings  a settings file laid over the defaults, shipped with --files [hdfs:///apps/nasbert/nasbert.properties]
  nasbert_log4j     the logging configuration (conf/log4j2.properties), shipped with --files [hdfs:///apps/nasbert/log4j2.properties]
  nasbert_corpus    the raw text to tokenize [hdfs:///data/nasbert/corpus]
  nasbert_runs      where run directories go [hdfs:///user/airflow/nasbert/runs]
  nasbert_queue     the YARN queue [default]
Connections: `spark_yarn` (Spark, host `yarn`) for the submits; `webhdfs_default` for the sensor.
MKL's code path needs nothing here: the driver lists nasbert's executor plugin in its own SparkConf, so each
executor (and the driver in the ApplicationMaster) chooses it for its own CPU. To leave MKL alone, add
`spark.executorEnv.NASBERT_MKL_DISPATCH` and `spark.yarn.appMasterEnv.NASBERT_MKL_DISPATCH` = `off` to `conf`.
Needs apache-airflow-providers-apache-spark and apache-airflow-providers-apache-hdfs.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.hdfs.sensors.web_hdfs import WebHdfsSensor
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MAIN_CLASS = "org.nasbert.jobs.NasbertMain"
JAR = "{{ var.value.get('nasbert_jar', 'hdfs:///apps/nasbert/nasbert-spark-jobs-app.jar') }}"
SETTINGS_VARIABLE = "var.value.get('nasbert_settings', 'hdfs:///apps/nasbert/nasbert.properties')"
SETTINGS = "{{ " + SETTINGS_VARIABLE + " }}"
# In cluster deploy mode the driver finds a shipped file by its base name.
SETTINGS_NAME = "{{ (" + SETTINGS_VARIABLE + ").split('/')[-1] }}"
CORPUS = "{{ var.value.get('nasbert_corpus', 'hdfs:///data/nasbert/corpus') }}"
# One run directory per DAG run: run ids hold ':' and '+', which Hadoop paths do not take.
RUN_DIR = ("{{ var.value.get('nasbert_runs', 'hdfs:///user/airflow/nasbert/runs') }}/{{ dag.dag_id }}/"
           "{{ run_id | replace(':', '-') | replace('+', '-') }}")
QUEUE = "{{ var.value.get('nasbert_queue', 'default') }}"
LOG4J = "{{ var.value.get('nasbert_log4j', 'hdfs:///apps/nasbert/log4j2.properties') }}"

# The JVM options bin/nasbert gives spark-submit: Spark 2.4 on a JDK 9+ node (EMR 7 runs JDK 17) needs these
# --add-opens, which a JDK 8 node ignores; the logging configuration is the shipped file.
OPENS = " ".join("--add-opens=java.base/%s=ALL-UNNAMED" % p for p in (
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs", "sun.security.action",
    "sun.util.calendar"))
JVM_OPTS = "-XX:+IgnoreUnrecognizedVMOptions " + OPENS + " -Dbigdl.utils.LoggerFilter.disable=true"
DRIVER_JAVA_OPTIONS = "-Dlog4j.configurationFile=log4j2.properties " + JVM_OPTS
EXECUTOR_JAVA_OPTIONS = "-Dlog4j.configurationFile=log4j2.properties " + JVM_OPTS + " -XX:+UseParallelGC"

# (stage, its own application arguments, executors, executor memory, driver memory). The stages and
# their order are bin/nasbert's (`bin/nasbert --help`); a stage's settings come from the shipped
# settings file, or from flags here.
STAGES = [
    ("tokenize", ["--input", CORPUS], 8, "4g", "2g"),
    ("teacher", [], 8, "8g", "6g"),
    ("latency", [], 1, "4g", "2g"),
    ("train-blocks", [], 8, "8g", "6g"),
    ("search", [], 4, "4g", "4g"),
    ("distill", [], 8, "8g", "6g"),
    ("fidelity", [], 8, "8g", "6g"),
    ("finetune", [], 8, "8g", "6g"),
    ("evaluate", [], 4, "4g", "4g"),
    ("export", [], 4, "4g", "4g"),
    ("report", [], 1, "2g", "2g"),
]

default_args = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="nasbert",
    description="Compress BERT into searched students with nasbert-spark",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["nasbert", "spark", "yarn"],
) as dag:
    corpus_ready = WebHdfsSensor(
        task_id="corpus_ready",
        filepath=CORPUS,
        webhdfs_conn_id="webhdfs_default",
        poke_interval=60,
        timeout=6 * 60 * 60,
        mode="reschedule",
    )

    previous = corpus_ready
    for stage, arguments, executors, executor_memory, driver_memory in STAGES:
        task = SparkSubmitOperator(
            task_id=stage.replace("-", "_"),
            conn_id="spark_yarn",
            application=JAR,
            java_class=MAIN_CLASS,
            name="nasbert " + stage + " {{ run_id }}",
            deploy_mode="cluster",
            files=LOG4J + "," + SETTINGS,
            num_executors=executors,
            executor_cores=4,
            executor_memory=executor_memory,
            driver_memory=driver_memory,
            conf={
                "spark.yarn.queue": QUEUE,
                "spark.driver.extraJavaOptions": DRIVER_JAVA_OPTIONS,
                "spark.executor.extraJavaOptions": EXECUTOR_JAVA_OPTIONS,
                # executors build the MKL plugin before they fetch the job's jar: YARN gives them it as __app__.jar
                "spark.executor.extraClassPath": "__app__.jar",
                "spark.yarn.maxAppAttempts": "1",
            },
            application_args=[stage, "--run", RUN_DIR, "--conf-file", SETTINGS_NAME] + arguments,
        )
        previous >> task
        previous = task
