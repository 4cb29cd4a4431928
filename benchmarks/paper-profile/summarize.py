#!/usr/bin/env python3
"""The paper profile's per-stage table from a run's manifests and /usr/bin/time -v's log.

    summarize.py RUN_DIR TIME_LOG        prints a Markdown table and writes RUN_DIR.benchmark.json
"""
import json
import os
import re
import sys

OUTPUTS = ["corpus", "teacher", "latency", "supernet", "search", "students", "fidelity", "finetune", "evaluate", "export",
           "report"]


def manifest(run, output):
    path = os.path.join(run, output, "manifest.json")
    return json.load(open(path)) if os.path.exists(path) else None


def per_step(output, m):
    """Seconds per unit of work and what the unit is, for the stages that repeat one."""
    s = m.get("settings", {})
    if output == "teacher":
        n = m["counts"]["sequences"]
        return m["seconds"] / n, "s per sequence (%d sequences)" % n
    if output == "supernet":
        # training time less the first step (JIT, replicas built) and the shrinking rounds' scoring, per later step
        scoring = m["shrinking"].get("seconds_scoring", 0)
        step = (m["seconds_training"] - m["seconds_first_step"] - scoring) / (m["steps"] - 1)
        return step, "s per step after the first (%d steps of %s sequences; %.1f MB shipped a step; first step %.1f s; " \
            "shrinking rounds' scoring %.1f s)" % (m["steps"], s.get("supernet.batch-size"), m["bytes_per_step"] / 1e6,
                                                  m["seconds_first_step"], scoring)
    if output == "students":
        steps = int(s["distill.steps"])
        rows = ["%s %.1fM: %.2f" % (x["name"], x["parameters"] / 1e6, x["seconds"] / steps) for x in m["students"]]
        return sum(x["seconds"] for x in m["students"]) / steps / len(m["students"]), \
            "s per step per student, mean (batch %s; %s)" % (s["distill.batch-size"], "; ".join(rows))
    if output == "finetune":
        examples = m["train"]["examples"]
        batch = int(s["finetune.batch-size"])
        steps = -(-examples // batch) * int(s["finetune.epochs"])
        rows = ["%s %.2f" % (x["name"], x["seconds"] / steps) for x in m["models"]]
        return sum(x["seconds"] for x in m["models"]) / steps / len(m["models"]), \
            "s per step per model, mean (batch %d; %s)" % (batch, "; ".join(rows))
    return None, ""


def time_log(path):
    text = open(path).read() if os.path.exists(path) else ""
    def field(name):
        found = re.search(re.escape(name) + r": (.+)", text)
        return found.group(1).strip() if found else None
    return {"wall": field("Elapsed (wall clock) time (h:mm:ss or m:ss)"), "cpu_percent": field("Percent of CPU this job got"),
            "max_rss_kb": field("Maximum resident set size (kbytes)")}


def main(run, time_path):
    rows = []
    for output in OUTPUTS:
        m = manifest(run, output)
        if m is None:
            continue
        r = m.get("resources") or {}
        unit, what = per_step(output, m)
        rows.append({"stage": m["stage"], "output": output, "seconds": m["seconds"], "per_step": unit, "per_step_what": what,
                     "heap_peak_mb": r.get("driver_heap_peak_mb"), "heap_max_mb": r.get("driver_heap_max_mb"),
                     "bytes_written": r.get("bytes_written")})
    whole = time_log(time_path)
    print("| stage | wall s | per step | heap peak (after GC) / max, MB | disk written |")
    print("|---|---:|---|---|---:|")
    for r in rows:
        step = "%.3f %s" % (r["per_step"], r["per_step_what"]) if r["per_step"] is not None else ""
        written = "%.1f MB" % (r["bytes_written"] / 1e6) if r["bytes_written"] is not None else ""
        print("| %s | %.1f | %s | %s / %s | %s |" % (r["stage"], r["seconds"], step, r["heap_peak_mb"], r["heap_max_mb"], written))
    print()
    print("whole pipeline: %s wall, %s CPU, %s kB peak RSS" % (whole["wall"], whole["cpu_percent"], whole["max_rss_kb"]))
    with open(run.rstrip("/") + ".benchmark.json", "w") as out:
        json.dump({"stages": rows, "process": whole}, out, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
