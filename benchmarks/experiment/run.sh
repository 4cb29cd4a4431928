#!/usr/bin/env bash
# The experiment profile end to end on one machine (Spark local mode, local file system):
#   benchmarks/experiment/run.sh [RUN_DIR]        (default runs/experiment)
# 1. fetches the State of the Union addresses through the build if they are not there yet;
# 2. bin/nasbert pipeline --conf-file conf/experiment-profile.properties on the shipped sentiment task;
# 3. the same students fine-tuned and evaluated on the second shipped task, data/spam, in RUN_DIR-spam, which links
#    the run's corpus and students instead of copying them;
# 4. prints the tables of benchmarks/experiment/summarize.py.
# Finished stages are skipped, so a rerun after an interruption resumes where it stopped.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$HOME_DIR"
RUN="${1:-runs/experiment}"
PROFILE=conf/experiment-profile.properties
if [[ ! -d data/fetched/sotu ]]; then
  mvn -q -B -N -P experiment-data validate
fi
bin/nasbert pipeline --conf-file "$PROFILE" --run "$RUN"
SPAM="$RUN-spam"
mkdir -p "$SPAM"
RUN_ABS="$(cd "$RUN" && pwd)"
for d in corpus students; do
  [[ -e "$SPAM/$d" ]] || ln -s "$RUN_ABS/$d" "$SPAM/$d"
done
bin/nasbert finetune --conf-file "$PROFILE" --run "$SPAM" --set "finetune.task=$HOME_DIR/data/spam"
bin/nasbert evaluate --conf-file "$PROFILE" --run "$SPAM" --set "finetune.task=$HOME_DIR/data/spam"
python3 benchmarks/experiment/summarize.py "$RUN" "$SPAM"
