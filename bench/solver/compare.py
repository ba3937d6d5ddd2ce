#!/usr/bin/env python3
"""Tutti's timetable solver against CP-SAT on the same generated instances.

Usage: compare.py [--tutti PATH] [--quick]
Runs from the repository root; writes instances and solutions to bench/out/solver/ and
prints a markdown table. Both solvers get the same wall time and 2 workers; both are
scored by `tutti timetable check`. A CP-SAT run that produces no solution counts every
lesson as unscheduled (that is what its output then says).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

SIZES = [  # (name, teachers, schools, lessons)
    ("small", 5, 15, 100),
    ("durham", 150, 350, 3000),
    ("large", 500, 1000, 12000),
]
BUDGETS = [10, 60]
SEEDS = [1, 2]


def run(cmd, stdout_path=None):
    with open(stdout_path, "w") if stdout_path else open(os.devnull, "w") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr


def check(tutti, instance, solution):
    p = subprocess.run([tutti, "timetable", "check", instance, solution],
                       capture_output=True, text=True)
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        return {"valid": False, "cost": None, "unscheduled": None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tutti", default=os.environ.get("TUTTI", "target/release/tutti"))
    ap.add_argument("--out", default="bench/out/solver")
    ap.add_argument("--sizes", default="small,durham,large")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    header = ("| size | lessons | budget s | seed | Tutti cost | CP-SAT cost | Tutti/CP-SAT "
              "| Tutti unsched. | CP-SAT unsched. | CP-SAT status | greedy hint cost "
              "| Tutti wall s | Tutti peak MB |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    sys.stdout.flush()
    for name, teachers, schools, lessons in SIZES:
        if name not in args.sizes.split(","):
            continue
        for seed in SEEDS:
            inst = f"{args.out}/{name}-{seed}.json"
            run([args.tutti, "timetable", "generate", "--seed", str(seed), "--teachers",
                 str(teachers), "--schools", str(schools), "--lessons", str(lessons)], inst)
            for budget in BUDGETS:
                ours = f"{args.out}/{name}-{seed}-{budget}-tutti.json"
                t0 = time.monotonic()
                _, err = run(["/usr/bin/time", "-v", args.tutti, "timetable", "solve", inst,
                              "--seconds", str(budget), "--seed", str(seed), "--threads", "2"],
                             ours)
                wall = time.monotonic() - t0
                rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
                peak = int(rss.group(1)) / 1024 if rss else float("nan")
                theirs = f"{args.out}/{name}-{seed}-{budget}-cpsat.json"
                hint = f"{args.out}/{name}-{seed}-{budget}-hint.json"
                _, err = run([sys.executable, f"{here}/cpsat.py", inst, "--seconds",
                              str(budget), "--workers", "2", "--seed", str(seed),
                              "--hint-out", hint], theirs)
                status = re.search(r"status (\w+)", err)
                status = status.group(1) if status else (
                    "ran out building" if "ran out" in err else "failed")
                a, b = check(args.tutti, inst, ours), check(args.tutti, inst, theirs)
                h = check(args.tutti, inst, hint) if os.path.exists(hint) else {"cost": None}
                ratio = (a["cost"] / b["cost"]) if a.get("cost") and b.get("cost") else float("nan")
                flag = lambda r: "" if r.get("valid") else " (INVALID)"
                print(f"| {name} | {lessons} | {budget} | {seed} | {a['cost']}{flag(a)} | "
                      f"{b['cost']}{flag(b)} | {ratio:.3f} | {a['unscheduled']} | "
                      f"{b['unscheduled']} | {status} | {h.get('cost')} | {wall:.1f} | {peak:.0f} |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
