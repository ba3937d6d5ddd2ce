#!/usr/bin/env python3
"""Writes a pupil import file of N rows for the schools of the demo hub (URNs 114000 up),
each pupil with a guardian; refs start with IMP so they never collide with the demo's."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
schools = int(sys.argv[2]) if len(sys.argv) > 2 else 350
rng = random.Random(42)
first = ["Olivia", "Amelia", "Isla", "Ava", "Noah", "Oliver", "George", "Arthur", "Leo", "Muhammad", "Freya", "Harry"]
last = ["Smith", "Robson", "Brown", "Wilson", "Thompson", "Taylor", "Walker", "Wright", "Hall", "Young", "Khan"]
out = sys.stdout
out.write("pupil_ref,first_name,last_name,date_of_birth,school_urn,year_group,fsm,pupil_premium,send,"
          "looked_after,guardian_name,guardian_email,guardian_phone\n")
for i in range(n):
    f, l = rng.choice(first), rng.choice(last)
    dob = f"{rng.randint(1, 28):02}/{rng.randint(1, 12):02}/{rng.randint(2010, 2018)}"
    fsm = "yes" if rng.random() < 0.22 else "no"
    out.write(f"IMP{i:06},{f},{l},{dob},{114000 + i % schools},,{fsm},{fsm},no,no,"
              f"Parent {l},parent{i}@import.example.com,07700 900{i % 1000:03}\n")
