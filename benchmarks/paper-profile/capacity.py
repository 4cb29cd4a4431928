#!/usr/bin/env python3
"""The capacity model of docs/capacity.md, from the paper profile's measurements.

    capacity.py RUN_DIR      RUN_DIR: a finished benchmarks/paper-profile/run.sh run, with RUN_DIR-cap-local64,
                             RUN_DIR-cap-lc1 and RUN_DIR-cap-lc2 from benchmarks/paper-profile/scaling-runs.sh

Prints the measured inputs, the 1-vs-2-executor check and the paper setup's costs for 8, 32 and 128 executors.
"""
import json
import math
import os
import sys

# The paper's setup (NAS-BERT section 4.1.1) and a cluster's, not measured here: stated, change them to yours.
TEXT_BYTES = 16e9          # Wikipedia + BookCorpus, 16 GB of text
BATCH = 1024               # sequences a step
CORES = 4                  # per executor (partitions = executors x cores: one replica per task slot)
WARMUP_EPOCHS = 3
ROUNDS = 44                # train-blocks' plan for prune.sample 2,000 and prune.keep 10 on this latency table (it logs it)
GB = 1 << 30


def manifest(run, output):
    return json.load(open(os.path.join(run, output, "manifest.json")))


def step_seconds(m):
    """A training step after the first (which builds the replicas), without the shrinking rounds' scoring."""
    scoring = m["shrinking"].get("seconds_scoring", 0)
    return (m["seconds_training"] - m["seconds_first_step"] - scoring) / (m["steps"] - 1)


def inputs(run):
    teacher, corpus = manifest(run, "teacher"), manifest(run, "corpus")
    small, large = manifest(run, "supernet"), manifest(run + "-cap-local64", "supernet")
    b_small, b_large = int(small["settings"]["supernet.batch-size"]), int(large["settings"]["supernet.batch-size"])
    cores = small["partitions"]  # local mode: one task slot a partition
    per_sequence = (step_seconds(large) - step_seconds(small)) / (b_large - b_small)
    c = corpus["counts"]
    weights = small["resources"]["bytes_written"]  # the supernet's weights, fp32, as the output holds them
    return {
        "supernet core-seconds a sequence": per_sequence * cores,
        "fixed seconds a step": step_seconds(small) - b_small * per_sequence,
        "teacher core-seconds a sequence": teacher["seconds"] / teacher["counts"]["sequences"] * cores,
        "bytes a partition a step": (small["bytes_per_step"] / small["partitions"] + large["bytes_per_step"] / large["partitions"]) / 2,
        "supernet weights bytes": weights,
        "teacher weights bytes": teacher["teacher"]["parameters"] * 4,
        "tokens a text byte": c["tokens"] / corpus["input"]["bytes"],
        "tokens a sequence": c["tokens_in_sequences"] / c["sequences"],
        "kept tokens": c["tokens_in_sequences"] / c["tokens"],
        "corpus bytes a sequence": corpus["resources"]["bytes_written"] / c["sequences"],
        "state bytes a token": teacher["bytes_written"] / teacher["counts"]["tokens"],
        "steps": (small["steps"], large["steps"], b_small, b_large),
    }


def shipping(run, x):
    """Seconds a byte shipped between the driver and executor JVMs, from the 2-executor run (every core busy, as the
    model's compute cost was measured): what the step took beyond the model's compute and fixed cost."""
    two = manifest(run + "-cap-lc2", "supernet")
    batch = int(two["settings"]["supernet.batch-size"])
    compute = batch / two["partitions"] * x["supernet core-seconds a sequence"]
    return (step_seconds(two) - x["fixed seconds a step"] - compute) / two["bytes_per_step"]


def check(run, x, seconds_a_byte):
    """The model fitted on local mode and the 2-executor run, against the 1-executor run."""
    one, two = manifest(run + "-cap-lc1", "supernet"), manifest(run + "-cap-lc2", "supernet")
    batch = int(one["settings"]["supernet.batch-size"])
    t1, t2 = step_seconds(one), step_seconds(two)
    predicted = x["fixed seconds a step"] + batch * x["supernet core-seconds a sequence"] + one["bytes_per_step"] * seconds_a_byte
    alone = (t1 - x["fixed seconds a step"] - one["bytes_per_step"] * seconds_a_byte) / batch
    return {"1 executor s/step": t1, "2 executors s/step": t2, "measured ratio": t1 / t2,
            "predicted 1 executor s/step": predicted, "predicted ratio": predicted / t2,
            "shipping ms a MB (2-executor run)": seconds_a_byte * 1e9,
            "core-seconds a sequence, one task alone": alone}


def paper(x, seconds_a_byte, executors):
    partitions = executors * CORES
    sequences = TEXT_BYTES * x["tokens a text byte"] * x["kept tokens"] / x["tokens a sequence"]
    steps_epoch = sequences / BATCH
    epochs = WARMUP_EPOCHS + ROUNDS
    half = x["bytes a partition a step"] / 2  # weights out, gradients back
    compute = BATCH * (x["supernet core-seconds a sequence"] + x["teacher core-seconds a sequence"]) / partitions
    scale = max(2, math.ceil(math.sqrt(partitions)))  # treeAggregate (depth 2): partial sums that reach the driver
    network = (partitions * half + scale * half) * seconds_a_byte  # the driver serialises every task's weights
    step = x["fixed seconds a step"] + compute + network
    w, t = x["supernet weights bytes"], x["teacher weights bytes"]
    # the memory guard's parts: per task slot a replica with gradients and a scoring copy, one broadcast of the weights;
    # on the fly the teacher's broadcast; Spark's 300 MB reserve and a tenth of headroom on top
    executor = (CORES * 3 * w + w + t) / 0.9 + 300 * (1 << 20)
    driver = (3 * w + t + partitions * half) / 0.9 + 300 * (1 << 20)
    return {"executors": executors, "partitions": partitions, "sequences": sequences, "steps an epoch": steps_epoch,
            "epochs": epochs, "seconds a step": step, "of it compute": compute, "of it shipping": network,
            "executor-hours an epoch": steps_epoch * step * executors / 3600,
            "executor-hours, whole plan": steps_epoch * epochs * step * executors / 3600,
            "wall days, whole plan": steps_epoch * epochs * step / 86400,
            "executor memory GB": executor / GB, "driver memory GB": driver / GB,
            "driver network GB a step": (partitions * half + scale * half) / 1e9,
            "HDFS corpus GB": sequences * x["corpus bytes a sequence"] / 1e9,
            "HDFS states GB if materialised": sequences * x["tokens a sequence"] * x["state bytes a token"] / 1e9,
            "HDFS checkpoint GB": 3 * w / 1e9}


def main(run):
    x = inputs(run)
    print("measured inputs (%s):" % run)
    for k, v in x.items():
        print("  %s: %s" % (k, v if isinstance(v, tuple) else "%.6g" % v))
    seconds_a_byte = shipping(run, x)
    c = check(run, x, seconds_a_byte)
    print("1 vs 2 executors (local-cluster, 1 core each):")
    for k, v in c.items():
        print("  %s: %s" % (k, v if isinstance(v, tuple) else "%.4g" % v))
    rows = [paper(x, seconds_a_byte, e) for e in (8, 32, 128)]
    print("the paper's setup (%.0f GB of text, batch %d, %d cores an executor, %d epochs):"
          % (TEXT_BYTES / 1e9, BATCH, CORES, WARMUP_EPOCHS + ROUNDS))
    for key in rows[0]:
        print("  %-32s %s" % (key, "  ".join("%14.4g" % r[key] for r in rows)))
    json.dump({"inputs": {k: v for k, v in x.items()}, "check": c, "paper": rows}, open(run.rstrip("/") + ".capacity.json", "w"),
              indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
