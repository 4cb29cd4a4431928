"""Prints the experiment's results as Markdown tables: the ranking fidelity, then per task every model's score
(± sd over fine-tuning seeds, 95% interval) and every searched student against the baselines of its constraints.

    python3 benchmarks/experiment/summarize.py RUN_DIR [SECOND_TASK_RUN_DIR ...]
"""
import json
import os
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fidelity(run):
    path = os.path.join(run, "fidelity", "fidelity.json")
    if not os.path.exists(path):
        return
    f = load(path)
    print(f"### Ranking fidelity ({f['students_distilled']} students distilled alone; {run})\n")
    print("| predictor | Kendall tau [95%] | Spearman rho [95%] |\n|---|---:|---:|")
    for name, tau in f["kendall_tau"].items():
        rho = f["spearman_rho"][name]
        print(f"| {name} | {tau['estimate']:+.3f} [{tau['low']:+.3f}, {tau['high']:+.3f}] | "
              f"{rho['estimate']:+.3f} [{rho['low']:+.3f}, {rho['high']:+.3f}] |")
    print()


def scores(run):
    m = load(os.path.join(run, "evaluate", "metrics.json"))
    print(f"### {os.path.basename(m['task'].rstrip('/'))} ({run})\n")
    print("| model | kind | constraint | parameters | score ± sd over seeds [95%] |\n|---|---|---|---:|---|")
    for model in m["models"]:
        for file, values in model["metrics"].items():
            for metric, v in values.items():
                ci = model["intervals"][file][metric]
                sd = model.get("seed_sd", {}).get(file, {}).get(metric)
                spread = f" ± {sd:.4f}" if sd is not None else ""
                params = f"{model['parameters']:,}" if "parameters" in model else ""
                print(f"| {model['name']} | {model['kind']} | {model['constraint']} | {params} | {metric} {v:.4f}{spread} "
                      f"[{ci['low']:.4f}, {ci['high']:.4f}] |")
    print("\n| constraints | searched | baseline (matches) | metric | difference [95%] | p | verdict |\n"
          "|---|---|---|---|---:|---:|---|")
    for c in m["comparisons"]:
        print(f"| {', '.join(c['constraints'])} | {c['searched']} | {c['baseline']} ({c.get('baseline_matches', '')}) | "
              f"{c['metric']} | {c['difference']:+.4f} [{c['low']:+.4f}, {c['high']:+.4f}] | {c['p']:.3g} | {c['verdict']} |")
    print()


if __name__ == "__main__":
    fidelity(sys.argv[1])
    for r in sys.argv[1:]:
        scores(r)
