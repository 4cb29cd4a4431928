#!/usr/bin/env bash
# The model layer (nasbert-core, BigDL 0.13, Scala 2.11) inside a Spark 3.5 / Scala 2.12 job through an isolated
# class loader. Usage: benchmarks/spark35-probe/run.sh [seeds rows seq-length]   (after `mvn install -DskipTests`)
# Prints the probe's measurements and compares each step's numbers with the model layer run alone.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/target"
SEEDS="${1:-12}" ROWS="${2:-16}" SEQ="${3:-128}"
mkdir -p "$OUT/model-classes" "$OUT/spark-classes"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

[[ -d "$ROOT/core/target/classes/org/nasbert" ]] || { echo "build the project first: mvn install -DskipTests" >&2; exit 1; }
# the model layer's world: core and everything it compiles against (BigDL, Scala 2.11, Spark 2.4, Hadoop 2.7)
mvn -q -B -f "$ROOT/core/pom.xml" dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$OUT/core.cp"
MODEL_CP="$OUT/model-classes:$ROOT/core/target/classes:$(cat "$OUT/core.cp")"
if [[ -n "${MODEL_EXCLUDE:-}" ]]; then # e.g. MODEL_EXCLUDE='spark-|hadoop-': is a slimmer model layer enough?
  MODEL_CP="$(tr ':' '\n' <<< "$MODEL_CP" | grep -Ev "/($MODEL_EXCLUDE)[^/]*\.jar$" | paste -sd:)"
fi
echo "model layer: $(tr ':' '\n' <<< "$MODEL_CP" | grep -c '\.jar$') jars, $(tr ':' '\n' <<< "$MODEL_CP" | grep '\.jar$' | xargs du -cm | tail -1 | cut -f1) MB"
"$JAVAC" --release 8 -nowarn -d "$OUT/model-classes" -cp "$MODEL_CP" "$HERE"/model/org/nasbert/probe/*.java 2>&1 | grep -v "^warning\|^Note" || true
echo "$MODEL_CP" > "$OUT/model.cp"
# Spark 3.5's world: spark-sql_2.12 3.5.8 and its dependencies, nothing of the project's
mvn -q -B -f "$HERE/pom.xml" dependency:build-classpath -Dmdep.outputFile="$OUT/spark.cp"
SPARK_CP="$OUT/spark-classes:$(cat "$OUT/spark.cp")"
"$JAVAC" --release 17 -nowarn -d "$OUT/spark-classes" -cp "$SPARK_CP" "$HERE"/spark/org/nasbert/probe/*.java

OPENS=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
         java.util.concurrent java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
export SPARK_LOCAL_IP=127.0.0.1
echo "== the model layer alone (its own classpath, no Spark 3.5)"
"$JAVA" "${OPENS[@]}" -Xmx2g -cp "$MODEL_CP" org.nasbert.probe.BlockStepEntry "$SEEDS" "$ROWS" "$SEQ" 2>/dev/null | tee "$OUT/alone.txt"
echo "== inside Spark 3.5 through the isolated loader"
"$JAVA" "${OPENS[@]}" -Djdk.reflect.useDirectMethodHandle=false -Xmx2g -Dnasbert.model.classpath="$OUT/model.cp" \
  -cp "$SPARK_CP" org.nasbert.probe.Spark35Probe "$SEEDS" "$ROWS" "$SEQ" 2>"$OUT/spark35.log" | tee "$OUT/spark35.txt"
echo "== compared"
python3 - "$OUT/alone.txt" "$OUT/spark35.txt" <<'PY'
import re, statistics, sys
def steps(path, prefix=""):
    out = {}
    for line in open(path):
        m = re.match(prefix + r"seed (\d+) loss (\S+) checksum (\S+) ms (\S+) mkl (\S+)", line.strip())
        if m:
            out[int(m[1])] = (m[2], m[3], float(m[4]), m[5])
    return out
alone = steps(sys.argv[1])
print("MKL loaded: alone", {v[3] for v in alone.values()}, end="")
for label in ("spark 1 task: ", "spark 2 tasks: "):
    spark = steps(sys.argv[2], label)
    same = sum(1 for s in alone if s in spark and alone[s][:2] == spark[s][:2])
    print(f"; {label.strip(': ')}", {v[3] for v in spark.values()}, end="")
    later = [s for s in alone if s >= 2 and s in spark]
    a, b = statistics.median(alone[s][2] for s in later), statistics.median(spark[s][2] for s in later)
    print(f"\n{label.strip(': ')}: {same} of {len(alone)} steps give the same loss and weights bit for bit; "
          f"step time, median of seeds 2..: alone {a:.1f} ms, in Spark 3.5 {b:.1f} ms (ratio {b / a:.2f})", end="")
print()
PY
