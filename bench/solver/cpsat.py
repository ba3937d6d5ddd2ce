#!/usr/bin/env python3
"""CP-SAT model of the timetable problem of TIMETABLING.md, for comparison with Tutti's solver.

Usage: cpsat.py INSTANCE.json --seconds N [--workers W] [--seed K] > SOLUTION.json

The model, per lesson l and each day d on which it could be taught:
  - a presence literal x[l,d] and an optional interval on a start variable whose domain
    is the slot-aligned starts inside one (teacher available ∩ school open) window;
    exactly one of x[l,*] or the unscheduled literal u[l] holds (rule 1);
  - per teacher-day, a circuit over a depot and the lessons that could be there: the
    arcs give the order, an arc l->m forces m to start after l ends plus the travel
    (rule 2), and an arc between two lessons at the same school forces m to start
    exactly when l ends, so every visit is back to back;
  - because visits are back to back, a visit holds its room exactly while its lessons
    run, so a cumulative per (school, day) over the lesson intervals, capacity `rooms`,
    is rule 3 exactly (for back-to-back visits; the restriction is the same one Tutti's
    solver works under);
  - lessons sharing a pupil: x[l,d] + x[m,d] <= 1 (rule 4).
Objective: travel + idle = span - work for each teacher-day, so
  cost = 10000 * sum(u) + sum(span) - sum(minutes of scheduled lessons) + 15 * visits,
where visits = non-empty teacher-days + arcs between different schools.

Times are in slots (slot_minutes); travel is rounded up to slots for the precedence,
which is exact because starts are slot multiples.

The search starts from a hint: a simple greedy that appends each teacher's lessons,
grouped by school, to the first day where they fit. The greedy's solution is also
written to --hint-out when given, so that the benchmark can report it.
"""
import argparse
import json
import sys
import time
from collections import defaultdict

from ortools.sat.python import cp_model

UNSCHEDULED = 10000
VISIT = 15


def ceil_div(a, b):
    return -(-a // b)


def windows_for(instance, teacher, school, day):
    slot = instance["slot_minutes"]
    out = []
    for ta, tb in teacher["available"].get(day, []):
        for sa, sb in school["open"].get(day, []):
            a, b = ceil_div(max(ta, sa), slot) * slot, min(tb, sb)
            if a < b:
                out.append((a, b))
    return sorted(out)


def greedy(instance, lessons, teachers, schools, travel, feasible):
    """Appends lessons to teacher-days in order; returns {lesson index: (day, start)}."""
    slot = instance["slot_minutes"]
    days = instance["days"]
    placed = {}
    lesson_day = {}
    pupil_days = defaultdict(set)
    rooms_used = defaultdict(list)  # (school, day) -> [(from, to)]
    tail = {}  # (teacher, day) -> (end, school, visit start)
    by_teacher = defaultdict(list)
    for i, l in enumerate(lessons):
        by_teacher[l["teacher"]].append(i)
    for t, own in by_teacher.items():
        own.sort(key=lambda i: (lessons[i]["school"], -lessons[i]["minutes"]))
        for i in own:
            l = lessons[i]
            for day in days:
                wins = feasible.get((i, day))
                if not wins or any(day in pupil_days[p] for p in l["pupils"]):
                    continue
                prev = tail.get((t, day))
                if prev is None:
                    earliest, same = 0, False
                else:
                    same = prev[1] == l["school"]
                    earliest = prev[0] + (0 if same else travel[prev[1]][l["school"]])
                start = None
                for a, b in wins:
                    s = max(a, ceil_div(earliest, slot) * slot)
                    if same and s != prev[0]:
                        continue
                    if s + l["minutes"] <= b:
                        start = s
                        break
                if start is None:
                    continue
                end = start + l["minutes"]
                used = rooms_used[(l["school"], day)]
                # The room is held from the visit's start; a continuing visit extends it.
                visit_from = prev[2] if same else start
                others = [(a, b) for (a, b, tt) in used if tt != t]
                busy = [(a, b) for (a, b) in others if a < end and b > visit_from]
                if len(busy) >= schools[l["school"]]["rooms"]:
                    peak = max(sum(1 for (a, b) in busy if a <= p < b) for p in
                               [visit_from] + [a for (a, b) in busy if a > visit_from])
                    if peak >= schools[l["school"]]["rooms"]:
                        continue
                if same:
                    # Replace this teacher's open visit entry with the longer one.
                    for k, (a, b, tt) in enumerate(used):
                        if tt == t and a == prev[2]:
                            used[k] = (a, end, t)
                else:
                    used.append((start, end, t))
                tail[(t, day)] = (end, l["school"], visit_from)
                placed[i] = (day, start)
                lesson_day[i] = day
                for p in l["pupils"]:
                    pupil_days[p].add(day)
                break
    return placed


def main():
    wall0 = time.monotonic()
    ap = argparse.ArgumentParser()
    ap.add_argument("instance")
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hint-out")
    ap.add_argument("--no-hint", action="store_true")
    ap.add_argument("--place-all", action="store_true",
                    help="require every lesson placed and drop the objective: status "
                         "INFEASIBLE proves that no timetable with back-to-back visits "
                         "places them all")
    args = ap.parse_args()

    with open(args.instance) as f:
        instance = json.load(f)
    slot = instance["slot_minutes"]
    days = instance["days"]
    schools = {s["id"]: s for s in instance["schools"]}
    teachers = {t["id"]: t for t in instance["teachers"]}
    lessons = instance["lessons"]
    travel = instance["travel_minutes"]

    feasible = {}
    for i, l in enumerate(lessons):
        for day in days:
            wins = windows_for(instance, teachers[l["teacher"]], schools[l["school"]], day)
            wins = [(a, b) for (a, b) in wins if b - a >= l["minutes"]]
            if wins:
                feasible[(i, day)] = wins

    hint = greedy(instance, lessons, teachers, schools, travel, feasible)
    if args.hint_out:
        write_solution(args.hint_out, instance, hint)

    m = cp_model.CpModel()
    x, start, interval = {}, {}, {}
    unscheduled = []
    for i, l in enumerate(lessons):
        dur = l["minutes"] // slot
        lits = []
        for day in days:
            wins = feasible.get((i, day))
            if not wins:
                continue
            dom = cp_model.Domain.from_intervals(
                [[a // slot, (b - l["minutes"]) // slot] for (a, b) in wins])
            lit = m.new_bool_var(f"x{i}_{day}")
            s = m.new_int_var_from_domain(dom, f"s{i}_{day}")
            x[(i, day)] = lit
            start[(i, day)] = s
            interval[(i, day)] = m.new_optional_fixed_size_interval_var(s, dur, lit, f"i{i}_{day}")
            lits.append(lit)
        u = m.new_bool_var(f"u{i}")
        unscheduled.append(u)
        m.add_exactly_one(lits + [u])

    by_teacher_day = defaultdict(list)
    by_school_day = defaultdict(list)
    for (i, day) in x:
        by_teacher_day[(lessons[i]["teacher"], day)].append(i)
        by_school_day[(lessons[i]["school"], day)].append(i)

    horizon = 24 * 60 // slot
    spans, visit_terms = [], []
    arc_hints = {}
    for (t, day), own in by_teacher_day.items():
        if time.monotonic() - wall0 > args.seconds:
            print("cpsat: the budget ran out while building the model", file=sys.stderr)
            write_solution("-", instance, {})
            return
        arcs = []
        empty = m.new_bool_var(f"empty_{t}_{day}")
        arcs.append((0, 0, empty))
        first = m.new_int_var(0, horizon, f"first_{t}_{day}")
        last = m.new_int_var(0, horizon, f"last_{t}_{day}")
        m.add(first == 0).only_enforce_if(empty)
        m.add(last == 0).only_enforce_if(empty)
        span = m.new_int_var(0, horizon, f"span_{t}_{day}")
        m.add(span == last - first)
        spans.append(span)
        node = {i: k + 1 for k, i in enumerate(own)}
        for i in own:
            li, si, di = lessons[i], start[(i, day)], lessons[i]["minutes"] // slot
            arcs.append((node[i], node[i], x[(i, day)].Not()))
            a = m.new_bool_var("")
            arcs.append((0, node[i], a))
            m.add(first == si).only_enforce_if(a)
            visit_terms.append(a)
            arc_hints[a] = ("first", i, day)
            b = m.new_bool_var("")
            arcs.append((node[i], 0, b))
            m.add(last == si + di).only_enforce_if(b)
            arc_hints[b] = ("last", i, day)
            for j in own:
                if i == j:
                    continue
                lj = lessons[j]
                c = m.new_bool_var("")
                arcs.append((node[i], node[j], c))
                arc_hints[c] = ("next", i, j, day)
                if li["school"] == lj["school"]:
                    m.add(start[(j, day)] == si + di).only_enforce_if(c)
                else:
                    gap = ceil_div(travel[li["school"]][lj["school"]], slot)
                    m.add(start[(j, day)] >= si + di + gap).only_enforce_if(c)
                    visit_terms.append(c)
        m.add_circuit(arcs)

    for (s, day), own in by_school_day.items():
        rooms = schools[s]["rooms"]
        if len(own) > rooms:
            m.add_cumulative([interval[(i, day)] for i in own], [1] * len(own), rooms)

    by_pupil = defaultdict(list)
    for i, l in enumerate(lessons):
        for p in set(l["pupils"]):
            by_pupil[p].append(i)
    for p, own in by_pupil.items():
        for a in range(len(own)):
            for b in range(a):
                for day in days:
                    if (own[a], day) in x and (own[b], day) in x:
                        m.add_at_most_one([x[(own[a], day)], x[(own[b], day)]])

    work = sum(l["minutes"] * (1 - unscheduled[i]) for i, l in enumerate(lessons))
    if args.place_all:
        m.add(sum(unscheduled) == 0)
        args.no_hint = True
    else:
        m.minimize(UNSCHEDULED * sum(unscheduled) + slot * sum(spans) - work
                   + VISIT * sum(visit_terms))

    if not args.no_hint:
        add_hint(m, hint, x, start, unscheduled, lessons, slot, arc_hints)

    build = time.monotonic() - wall0
    remaining = args.seconds - build - 0.2
    print(f"cpsat: built in {build:.1f}s, {len(x)} lesson-days, "
          f"{len(arc_hints)} arcs; {remaining:.1f}s left to solve", file=sys.stderr)
    placed = {}
    status_name = "NOT_RUN"
    if remaining > 0:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = remaining
        solver.parameters.num_workers = args.workers
        solver.parameters.random_seed = args.seed
        status = solver.solve(m)
        status_name = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            for (i, day), lit in x.items():
                if solver.boolean_value(lit):
                    placed[i] = (day, solver.value(start[(i, day)]) * slot)
    print(f"cpsat: status {status_name}, wall {time.monotonic() - wall0:.1f}s",
          file=sys.stderr)
    write_solution("-", instance, placed)


def add_hint(m, hint, x, start, unscheduled, lessons, slot, arc_hints):
    for (i, day), lit in x.items():
        on = hint.get(i, (None,))[0] == day
        m.add_hint(lit, on)
        if on:
            m.add_hint(start[(i, day)], hint[i][1] // slot)
    for i, u in enumerate(unscheduled):
        m.add_hint(u, i not in hint)
    order = defaultdict(list)
    for i, (day, s) in hint.items():
        order[(lessons[i]["teacher"], day)].append((s, i))
    nexts, firsts, lasts = set(), set(), set()
    for key, lst in order.items():
        lst.sort()
        firsts.add((lst[0][1], key[1]))
        lasts.add((lst[-1][1], key[1]))
        for (s1, a), (s2, b) in zip(lst, lst[1:]):
            nexts.add((a, b, key[1]))
    for lit, h in arc_hints.items():
        if h[0] == "first":
            m.add_hint(lit, (h[1], h[2]) in firsts)
        elif h[0] == "last":
            m.add_hint(lit, (h[1], h[2]) in lasts)
        else:
            m.add_hint(lit, (h[1], h[2], h[3]) in nexts)


def write_solution(path, instance, placed):
    lessons = instance["lessons"]
    out = {
        "assignments": [{"lesson": lessons[i]["id"], "day": d, "start": s}
                        for i, (d, s) in sorted(placed.items())],
        "unscheduled": [l["id"] for i, l in enumerate(lessons) if i not in placed],
    }
    if path == "-":
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    else:
        with open(path, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
