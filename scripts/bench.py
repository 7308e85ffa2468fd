#!/usr/bin/env python3
"""Runs the criterion benchmarks under a name and prints their figures as Markdown tables.

  scripts/bench.py run NAME [BENCH...]
      runs `cargo bench --bench BENCH -- --save-baseline NAME` for each bench (all of them by
      default: store, render, export, content, merge, compare, listing), and records the load
      average before and after and the commit, so that the figures can be told apart later
      (e.g. a quiet run and a run while the host is busy). Running some benches again under a
      name already used replaces their figures and keeps the note of the others.
  scripts/bench.py table NAME [NAME...] [--only REGEX]
      every benchmark (or those whose id matches REGEX) with its figures in each named run,
      side by side: criterion's lower bound, estimate and upper bound of the mean time per
      iteration.
  scripts/bench.py summary NAME [NAME...]
      the benchmarks that have a target, with the estimate of each named run and whether the
      target is met.

The figures live in target/criterion (criterion's own files), next to a note per run in
target/criterion/runs/NAME.json.
"""

import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")
RUNS = os.path.join(CRITERION, "runs")
BENCHES = ["store", "render", "export", "content", "merge", "compare", "listing"]

# Benchmarks with a target: (benchmark id, what it is, target in milliseconds).
TARGETS = [
    ("save_and_load_5000", "save + load, 5,000-question session", 30.0),
    ("rescore_5000", "full re-score, 5,000 questions", 2.0),
    ("rescore_incremental_5000", "re-score after one answer, 5,000 questions", 0.2),
    ("export_5000/md", "Markdown export, 5,000 questions", 50.0),
    ("draw_workshop_200x60_5000", "draw the workshop screen 200x60, 5,000 questions", 2.0),
    ("key_to_frame_5000", "answer key to frame, file store, 5,000 questions", 2.0),
    ("key_to_frame_back_to_back_5000", "answer keys back to back to frame, file store, 5,000 questions", 2.0),
    ("process/sessions list/500", "aiready sessions list, 500 sessions", 30.0),
    ("compare_5000/compare", "compare two 5,000-question sessions", 20.0),
    ("export_5000/html", "HTML export, 5,000 questions", 100.0),
    ("export_5000/xlsx", "Excel workbook export, 5,000 questions", 100.0),
    ("export_5000/oscal-ar", "OSCAL assessment results, 5,000 questions", 100.0),
    ("export_5000/oscal-poam", "OSCAL POA&M, 5,000 questions", 100.0),
    ("merge_10_prework_into_5000", "merge ten pre-work files, with the write", 200.0),
]


def git_commit():
    out = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def load_note(name):
    """The note of run NAME: one part per `run` call under that name, or None."""
    path = os.path.join(RUNS, f"{name}.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        note = json.load(f)
    if "parts" not in note:
        # A note written before runs could be continued: one part, its benches not named.
        note = {"name": name, "parts": [dict(note, benches=None)]}
    return note


def run(name, benches):
    os.makedirs(RUNS, exist_ok=True)
    part = {
        "benches": benches,
        "commit": git_commit(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "load_before": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    for bench in benches:
        subprocess.run(
            ["cargo", "bench", "--locked", "--bench", bench, "--", "--save-baseline", name],
            cwd=ROOT,
            check=True,
        )
    part["load_after"] = os.getloadavg()[0]
    part["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    # Running some benches again under the same name replaces their figures: the earlier parts
    # keep describing only the benches whose figures are still theirs.
    note = load_note(name) or {"name": name, "parts": []}
    kept = []
    for earlier in note["parts"]:
        if earlier["benches"] is None:
            # Which benches it ran is not known: it keeps the figures not run again since.
            kept.append(earlier)
            continue
        earlier["benches"] = [b for b in earlier["benches"] if b not in benches]
        if earlier["benches"]:
            kept.append(earlier)
    note["parts"] = kept + [part]
    with open(os.path.join(RUNS, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(note, f, indent=2)
    print(f"saved as {name}: scripts/bench.py table {name}")


def benchmarks():
    """(id, directory) of every benchmark criterion has seen, in id order."""
    found = []
    for folder, _, files in os.walk(CRITERION):
        if "benchmark.json" in files:
            with open(os.path.join(folder, "benchmark.json"), encoding="utf-8") as f:
                meta = json.load(f)
            # The directory above a baseline's folder is the benchmark's own.
            bench_dir = os.path.dirname(folder)
            found.append((meta["full_id"], bench_dir))
    return sorted(set(found))


def estimate(bench_dir, name):
    """(lower, estimate, upper) of the mean in milliseconds, or None if the run lacks it."""
    path = os.path.join(bench_dir, name, "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        mean = json.load(f)["mean"]
    interval = mean["confidence_interval"]
    return tuple(v / 1e6 for v in (interval["lower_bound"], mean["point_estimate"], interval["upper_bound"]))


def milliseconds(value):
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def describe(name):
    note = load_note(name)
    if note is None:
        return f"{name}: no note (run it with scripts/bench.py run {name})"
    lines = []
    for part in note["parts"]:
        if part["benches"]:
            which = f" ({', '.join(part['benches'])})"
        else:
            which = " (the benches not run again below)" if len(note["parts"]) > 1 else ""
        lines.append(
            f"{name}{which}: {part['started']}, commit {part['commit']}, load average "
            f"{part['load_before']:.2f} before and {part['load_after']:.2f} after, "
            f"{part['cpus']} CPUs"
        )
    return "\n- ".join(lines)


def table(names, only=None):
    for name in names:
        print(f"- {describe(name)}")
    print()
    print("| benchmark | " + " | ".join(f"{n} (ms)" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for full_id, bench_dir in benchmarks():
        if only and not re.search(only, full_id):
            continue
        cells = []
        for name in names:
            e = estimate(bench_dir, name)
            cells.append(" / ".join(milliseconds(v) for v in e) if e else "-")
        if any(c != "-" for c in cells):
            print(f"| `{full_id}` | " + " | ".join(cells) + " |")


def summary(names):
    by_id = dict(benchmarks())
    print("| what | benchmark | " + " | ".join(names) + " | target |")
    print("|---|---|" + "---|" * len(names) + "---|")
    for full_id, what, target in TARGETS:
        cells = []
        for name in names:
            e = estimate(by_id[full_id], name) if full_id in by_id else None
            if e is None:
                cells.append("-")
            else:
                verdict = "met" if e[1] < target else "not met"
                cells.append(f"{milliseconds(e[1])} ms ({verdict})")
        print(f"| {what} | `{full_id}` | " + " | ".join(cells) + f" | under {target:g} ms |")


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "run":
        unknown = [b for b in args[2:] if b not in BENCHES]
        if unknown:
            raise SystemExit(f"no such bench: {', '.join(unknown)} (there are {', '.join(BENCHES)})")
        run(args[1], args[2:] or BENCHES)
    elif len(args) >= 2 and args[0] == "table":
        only = None
        if "--only" in args:
            at = args.index("--only")
            if at + 1 >= len(args):
                raise SystemExit("--only needs a regular expression")
            only = args[at + 1]
            args = args[:at] + args[at + 2 :]
        table(args[1:], only)
    elif len(args) >= 2 and args[0] == "summary":
        summary(args[1:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
