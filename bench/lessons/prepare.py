"""Logs in to a running Tutti as a teacher and finds the benchmark's page: the school day (in
the three weeks up to today) with the most lessons, a pupil to mark on it, and the session's
cookie and CSRF token. Writes the page as Tutti sent it to OUT and prints shell assignments.
Usage: prepare.py BASE EMAIL PASSWORD OUT"""
import datetime
import http.client
import re
import sys
import urllib.parse

base, email, password, out = sys.argv[1:5]
host = urllib.parse.urlparse(base).netloc


def call(method, path, cookie=None, body=None):
    conn = http.client.HTTPConnection(host, timeout=120)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    text = r.read().decode()
    # Cookies may be marked Secure; they are read by hand so that plain HTTP works. The login
    # form's token cookie (tutti_form) and the session cookie (tutti_session) are both kept.
    jar = dict(c.split("=", 1) for c in cookie.split("; ")) if cookie else {}
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, value = v.split(";")[0].split("=", 1)
            jar[name] = value
    return r.status, text, "; ".join(f"{k}={v}" for k, v in jar.items()) or None


def token(html):
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return m.group(1) if m else ""


_, html, cookie = call("GET", "/login")
status, _, cookie = call("POST", "/login", cookie, {"csrf_token": token(html), "email": email, "password": password})
if status != 303:
    sys.exit(f"login as {email} failed ({status})")

today = datetime.date.today()
best = None
for back in range(0, 21):
    day = today - datetime.timedelta(days=back)
    status, html, cookie = call("GET", f"/teacher/day?date={day}", cookie)
    marks = re.findall(r'action="/teacher/lessons/(\d+)/mark".*?name="pupil" value="(\d+)"', html, re.S)
    if status == 200 and marks and (best is None or html.count('class="lesson"') > best[1].count('class="lesson"')):
        best = (day, html, marks[0])
if best is None:
    sys.exit("the teacher has no lessons to mark in the last three weeks")
day, html, (lesson, pupil) = best
with open(out, "w") as f:
    f.write(html)
count = html.count('class="lesson"')
print(f"cookie='{cookie}' date={day} lesson={lesson} pupil={pupil} csrf={token(html)} lessons={count}")
