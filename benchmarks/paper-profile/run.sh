#!/usr/bin/env bash
# The paper's scale on this machine: conf/paper-profile.properties end to end in Spark local mode, then the per-stage
# table (wall time, time per step, heap, bytes shipped per step, disk written) that docs/capacity.md is built from.
#   benchmarks/paper-profile/run.sh [RUN_DIR]          (default runs/paper; NASBERT_DRIVER_MEMORY default 12g)
# Finished stages are skipped, so a rerun after an interruption resumes where it stopped.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$HOME_DIR"
RUN="${1:-runs/paper}"
# the paper space's supernet at BERT-base's width: ~2.4 GB of weights and Adam moments on the driver, a replica with
# gradients per partition (train-blocks refuses a smaller heap, naming the size)
export NASBERT_DRIVER_MEMORY="${NASBERT_DRIVER_MEMORY:-12g}"
TASK="$RUN-task"
mkdir -p "$TASK" "$(dirname "$RUN")"
head -n 320 data/sentiment/train.tsv > "$TASK/train.tsv"
head -n 160 data/sentiment/dev.tsv > "$TASK/dev.tsv"
TIME_LOG="$RUN.time"
/usr/bin/time -v -o "$TIME_LOG" bin/nasbert pipeline --conf-file conf/paper-profile.properties --run "$RUN" \
  --set "finetune.task=$(cd "$TASK" && pwd)"
python3 benchmarks/paper-profile/summarize.py "$RUN" "$TIME_LOG"
