#!/usr/bin/env bash
# The measurements docs/capacity.md adds to the paper profile's: train-blocks on its teacher states (BERT-base, the paper's
# space), 6 steps at batch 64 in local mode (with the profile's batch-16 run: the cost per sequence and the fixed cost per
# step), then in local-cluster mode with 1 and with 2 executors of one core (real executor JVMs: the 1-vs-2 check).
#   benchmarks/paper-profile/scaling-runs.sh RUN_DIR        (RUN_DIR: a finished benchmarks/paper-profile/run.sh run)
# Writes RUN_DIR-cap-local64, RUN_DIR-cap-lc1, RUN_DIR-cap-lc2; then: benchmarks/paper-profile/capacity.py RUN_DIR
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$HOME_DIR"
SRC="$(cd "${1:?usage: scaling-runs.sh RUN_DIR}" && pwd)"
COMMON=(--set supernet.steps=6 --set supernet.steps-per-epoch=100 --set supernet.warmup-steps=2 --set supernet.eval-paths=1
  --set supernet.checkpoint-every=100 --set prune.bins=1 --set prune.sample=2 --set prune.keep=1 --set prune.eval-sequences=8
  --set supernet.batch-size=64 --set supernet.micro-batch=16)
mk() { rm -rf "$1"; mkdir -p "$1"; for d in corpus teacher latency; do ln -s "$SRC/$d" "$1/$d"; done; }
mk "$SRC-cap-local64"
NASBERT_DRIVER_MEMORY=12g /usr/bin/time -v -o "$SRC-cap-local64.time" bin/nasbert train-blocks --run "$SRC-cap-local64" "${COMMON[@]}" --set supernet.partitions=2
for e in 1 2; do
  mk "$SRC-cap-lc$e"
  NASBERT_DRIVER_MEMORY=6g /usr/bin/time -v -o "$SRC-cap-lc$e.time" bin/nasbert train-blocks --run "$SRC-cap-lc$e" "${COMMON[@]}" \
    --set supernet.partitions=$e --master "local-cluster[$e,1,5120]" --conf spark.executor.memory=5120m
done
python3 benchmarks/paper-profile/capacity.py "$SRC"
