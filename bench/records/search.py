#!/usr/bin/env python3
"""Logs in as the demo admin and times the admin pupil search page over a mix of realistic
terms (surnames, first names, references, partial words, first and last name), printing
p50 and p95 in milliseconds. Usage: search.py BASE_URL [REQUESTS]"""
import http.client
import re
import statistics
import sys
import time
import urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 400
conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
cookies = {}


def send(method, path, body=None, headers=None):
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return r.status, data


status, page = send("GET", "/login")
token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
form = urllib.parse.urlencode({"csrf_token": token, "email": "admin@demo.test", "password": "demo-password"})
status, _ = send("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
assert status in (302, 303), f"login answered {status}"

terms = [
    "smith", "Robson", "brown", "wil", "thomp", "taylor", "wa", "Hall", "khan", "you",
    "olivia", "Amelia", "isla", "noah", "oli", "geo", "Arthur", "leo", "muh", "fre",
    "P100042", "P1003", "p10456", "P12", "P1000001", "amira khan", "olivia smith", "jack b", "s", "zz",
    "", "mc", "o'b", "smith-", "ava", "h", "lily walker", "ja", "P1", "ro",
]
paths = [f"/admin/pupils?q={urllib.parse.quote(t)}" for t in terms]
paths += ["/admin/pupils?sort=ref", "/admin/pupils?q=smith&page=3", "/admin/pupils?q=p1&sort=ref&desc=1"]
for p in paths:  # warm up, and check every page answers
    status, _ = send("GET", p)
    assert status == 200, f"{p} answered {status}"

times = []
by_path = {}
for i in range(requests):
    p = paths[i % len(paths)]
    start = time.perf_counter()
    status, _ = send("GET", p)
    ms = (time.perf_counter() - start) * 1000
    times.append(ms)
    by_path.setdefault(p, []).append(ms)
    assert status == 200, f"{p} answered {status}"
times.sort()
p50 = statistics.median(times)
p95 = times[int(len(times) * 0.95) - 1]
print(f"pupil search: {requests} requests over {len(paths)} searches: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
      f"max {times[-1]:.1f} ms")
slowest = sorted(((statistics.median(v), p) for p, v in by_path.items()), reverse=True)[:5]
print("  slowest searches (median): " + ", ".join(f"{p.split('?', 1)[-1]} {ms:.0f} ms" for ms, p in slowest))
