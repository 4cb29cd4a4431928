"""Loads an Airflow DAG file with python3 against stand-ins for the Airflow classes it uses (Airflow itself is not
installed where the tests run), renders its templated fields with Jinja2 as Airflow would, and prints the tasks
as JSON: task id, operator, keyword arguments (template fields rendered, as Airflow renders only those), upstream
task ids.

usage: python3 render_dag.py <dag file> <run id>
"""
import json
import runpy
import sys
import types

TASKS = []


# What BaseOperator / BaseSensorOperator take, of what a DAG here may pass.
_BASE = {"task_id", "retries", "retry_delay", "owner", "poke_interval", "timeout", "mode", "soft_fail", "trigger_rule"}


class _Operator:
    """Records its arguments; refuses any the real operator does not take, as Python would."""
    PARAMETERS = set()
    TEMPLATE_FIELDS = ()

    def __init__(self, **kwargs):
        unknown = set(kwargs) - self.PARAMETERS - _BASE
        if unknown:
            raise TypeError(type(self).__name__ + " got unexpected keyword arguments " + str(sorted(unknown)))
        self.task_id = kwargs["task_id"]
        self.kwargs = kwargs
        self.upstream = []
        TASKS.append(self)

    def __rshift__(self, other):
        other.upstream.append(self.task_id)
        return other


class SparkSubmitOperator(_Operator):
    # apache-airflow-providers-apache-spark's SparkSubmitOperator.__init__ and template_fields
    PARAMETERS = {"application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars", "java_class",
                  "packages", "exclude_packages", "repositories", "total_executor_cores", "executor_cores", "executor_memory",
                  "driver_memory", "keytab", "principal", "proxy_user", "name", "num_executors", "status_poll_interval",
                  "application_args", "env_vars", "verbose", "spark_binary", "properties_file", "yarn_queue", "deploy_mode",
                  "use_krb5ccache"}
    TEMPLATE_FIELDS = ("application", "conf", "files", "py_files", "jars", "driver_class_path", "packages", "exclude_packages",
                       "keytab", "principal", "proxy_user", "name", "application_args", "env_vars", "properties_file")


class WebHdfsSensor(_Operator):
    # apache-airflow-providers-apache-hdfs's WebHdfsSensor
    PARAMETERS = {"filepath", "webhdfs_conn_id"}
    TEMPLATE_FIELDS = ("filepath",)


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


for package in ["airflow.providers", "airflow.providers.apache", "airflow.providers.apache.spark",
                "airflow.providers.apache.spark.operators", "airflow.providers.apache.hdfs",
                "airflow.providers.apache.hdfs.sensors"]:
    _module(package)
_module("airflow", DAG=DAG)
_module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)
_module("airflow.providers.apache.hdfs.sensors.web_hdfs", WebHdfsSensor=WebHdfsSensor)

dag_globals = runpy.run_path(sys.argv[1])
dag = dag_globals["dag"]

import jinja2  # Airflow renders templates with Jinja2


class _Variables:
    @staticmethod
    def get(key, default=None):
        return default


context = {"var": {"value": _Variables()}, "dag": dag, "run_id": sys.argv[2]}
environment = jinja2.Environment(undefined=jinja2.StrictUndefined)


def render(value):
    if isinstance(value, str):
        return environment.from_string(value).render(**context)
    if isinstance(value, list):
        return [render(v) for v in value]
    if isinstance(value, dict):
        return {k: render(v) for k, v in value.items()}
    return value


print(json.dumps({"dag_id": dag.dag_id, "tasks": [
    {"task_id": t.task_id, "operator": type(t).__name__, "upstream": t.upstream,
     "kwargs": {k: render(v) if k in t.TEMPLATE_FIELDS else v for k, v in t.kwargs.items()}} for t in TASKS]}))
