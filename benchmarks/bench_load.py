"""Members using CoPMatch under gunicorn while HR solves and publishes a whole-organisation round.

Run ``python benchmarks/bench_load.py`` (PostgreSQL at ``TEST_DATABASE_URL`` or
127.0.0.1:5432; Redis on 127.0.0.1:6379 if it answers, else the web process's
own thread runs the solve). It makes a fresh database with ``--members`` demo
members, starts gunicorn (``gunicorn.conf.py``) on 127.0.0.1 and, with Redis,
one ``flask worker``; then ``--users`` logged-in members read their pages and
save their profiles for ``--seconds`` while HR creates, solves (a job) and
publishes a round of working groups. It prints requests/s and p50/p95/p99 per
page, the errors, gunicorn's worker crashes, and stops by itself.

Options: ``--sqlite`` (a SQLite file instead of PostgreSQL), ``--kind``,
``--workers`` (gunicorn processes), ``--kill-every S`` (kill -9 a web worker
every S seconds, to see that the next ones do not crash).
"""

from __future__ import annotations

import argparse
import html.parser
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MEMBER_PAGES = ("/", "/matches", "/profile", "/communities")


class Forms(html.parser.HTMLParser):
    """Every form of a page: its action and the fields a browser would send (first submit button aside)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "fields": [], "submits": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "submit":
                self.forms[-1]["submits"].append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1]["fields"].append((a["name"], a.get("value", "on")))
            else:
                self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self.forms:
            name, first, chosen = self._select
            self.forms[-1]["fields"].append((name, chosen if chosen is not None else (first or "")))
            self._select = None


def form(page: str, action: str) -> dict:
    """The page's POST form whose action is ``action`` (a path)."""
    parser = Forms()
    parser.feed(page)
    for found in parser.forms:
        if found["method"] == "post" and found["action"].split("?")[0] == action:
            return found
    raise LookupError(f"no POST form for {action!r}")


class Stats:
    def __init__(self):
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.kinds = defaultdict(int)  # what the errors were: a status code or the exception's name
        self.lock = threading.Lock()

    def add(self, page: str, seconds: float, ok: bool, kind: str = ""):
        with self.lock:
            self.times[page].append(seconds)
            if not ok:
                self.errors[page] += 1
                self.kinds[kind] += 1


def timed(stats: Stats, session: requests.Session, label: str, method: str, url: str, **kwargs):
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=120, allow_redirects=False, **kwargs)
        ok = response.status_code < 400 and not (method == "GET" and response.status_code == 302)
        kind = str(response.status_code)
    except requests.RequestException as error:
        response, ok, kind = None, False, type(error).__name__
    stats.add(label, time.perf_counter() - started, ok, kind)
    return response


def log_in(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/auth/login", timeout=60).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/auth/login", data={"csrf_token": token, "email": email, "password": password},
                            timeout=60, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"log-in failed for {email}: {response.status_code}")
    page = session.get(f"{base}/privacy/consent", timeout=60).text  # agree to the privacy notice first
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    session.post(f"{base}/privacy/consent", data={"csrf_token": token}, timeout=60, allow_redirects=False)
    return session


def member_loop(base, session, stats, stop, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        if rng.random() < 0.2:  # save the profile as it is: a write
            page = timed(stats, session, "GET /profile", "GET", f"{base}/profile")
            if page is not None and page.status_code == 200:
                try:
                    fields = form(page.text, "/profile")["fields"]
                except LookupError:
                    fields = None
                if fields is not None:
                    timed(stats, session, "POST /profile", "POST", f"{base}/profile", data=fields)
        else:
            path = rng.choice(MEMBER_PAGES)
            timed(stats, session, f"GET {path}", "GET", f"{base}{path}")
        stop.wait(0.05)


def hr_round(base, session, stats, stop, kind, report):
    """Create and solve a whole-organisation round (a job), wait for it, publish it."""
    answer = session.get(f"{base}/hr/rounds/new?kind={kind}&community=0", timeout=60, allow_redirects=False)
    if answer.status_code != 200:
        report["problem"] = f"GET /hr/rounds/new answered {answer.status_code} {answer.headers.get('Location')}"
        return
    found = form(answer.text, "/hr/rounds/new")
    fields = [pair for pair in found["fields"]] + [("create_and_solve", "Create and solve")]
    started = time.perf_counter()
    response = timed(stats, session, "POST solve (HR)", "POST", f"{base}/hr/rounds/new", data=fields)
    report["solve_request"] = time.perf_counter() - started
    location = response.headers.get("Location", "") if response is not None else ""
    match = re.search(r"/hr/rounds/(\d+)/solves/(\d+)", location)
    if not match:
        report["problem"] = f"no progress page after Solve ({response.status_code if response else 'no answer'})"
        return
    round_id, job_id = match.groups()
    while not stop.is_set():
        state = timed(stats, session, "GET status JSON (HR)", "GET",
                      f"{base}/hr/rounds/{round_id}/solves/{job_id}.json")
        if state is not None and state.status_code == 200 and not state.json()["active"]:
            report["solve_status"] = state.json()["status"]
            break
        time.sleep(0.5)
    report["solve_seconds"] = time.perf_counter() - started
    if report.get("solve_status") != "finished":
        return
    review = session.get(f"{base}/hr/rounds/{round_id}", timeout=60).text
    fields = form(review, f"/hr/rounds/{round_id}/publish")["fields"]
    started = time.perf_counter()
    timed(stats, session, "POST publish (HR)", "POST", f"{base}/hr/rounds/{round_id}/publish", data=fields)
    report["publish_request"] = time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: gunicorn.conf.py)")
    parser.add_argument("--kind", default="groups", choices=("groups", "mentoring", "peer"))
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--no-redis", action="store_true", help="run the solve in a web process's thread")
    parser.add_argument("--kill-every", type=float, default=0, help="kill -9 a gunicorn worker every S seconds")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="copmatch-load-"))
    admin = None
    if args.sqlite:
        url = f"sqlite:///{workdir / 'copmatch.db'}"
    else:
        base = sa.make_url(os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
        name = f"copmatch_load_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        url = base.set(database=name).render_as_string(hide_password=False)
    use_redis = not args.no_redis and redis_answers()
    env = {**os.environ, "DATABASE_URL": url, "COPMATCH_ENV": "development", "RATELIMIT_ENABLED": "false",
           "SECRET_KEY": "bench-load", "GUNICORN_ACCESS_LOG": "/dev/null", "JOBS_QUEUE": f"bench-{uuid.uuid4().hex[:6]}",
           "PYTHONFAULTHANDLER": "1", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    if use_redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    processes = []
    log_path = workdir / "gunicorn.log"
    try:
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        demo = subprocess.run(flask + ["demo-data", "--members", str(args.members), "--seed", "1"], cwd=ROOT,
                              env={**env, "DEFAULT_LOCALE": "en"}, check=True, capture_output=True, text=True).stdout
        hr_email, hr_password = re.search(r"HR login:\s*(\S+) / (\S+)", demo).groups()
        member_password = re.search(r"Member logins:.* / (\S+)", demo).group(1)
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            emails = connection.execute(sa.text("SELECT email FROM members WHERE role = 'member' AND active "
                                                "ORDER BY id LIMIT :n"), {"n": args.users}).scalars().all()
        engine.dispose()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = open(log_path, "w")
        gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                                     "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append(gunicorn)
        if use_redis:
            processes.append(subprocess.Popen(flask + ["worker"], cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        for _ in range(120):
            try:
                requests.get(f"{base_url}/auth/login", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.5)
        sessions = [log_in(base_url, email, member_password) for email in emails]
        hr = log_in(base_url, hr_email, hr_password)

        stats, stop, report = Stats(), threading.Event(), {}
        threads = [threading.Thread(target=member_loop, args=(base_url, s, stats, stop, n), daemon=True)
                   for n, s in enumerate(sessions)]
        threads.append(threading.Thread(target=hr_round, args=(base_url, hr, stats, stop, args.kind, report),
                                        daemon=True))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        kills = 0
        while time.perf_counter() - started < args.seconds:
            time.sleep(min(args.kill_every or 1, 1))
            if args.kill_every and (time.perf_counter() - started) // args.kill_every > kills:
                children = [p for p in _children(gunicorn.pid)]
                if children:
                    os.kill(random.choice(children), signal.SIGKILL)
                    kills += 1
        stop.set()
        for thread in threads:
            thread.join(timeout=130)
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    text = log_path.read_text(errors="replace")
    crashes = len(re.findall(r"SIGSEGV|Segmentation fault|Fatal Python error", text))
    timeouts = text.count("WORKER TIMEOUT")
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"{database}, {args.members} demo members, {args.users} members for {elapsed:.0f} s, "
          f"{'RQ worker' if use_redis else 'thread in a web process'}; kill -9 of a web worker: {kills}")
    print(f"{'page':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
    total = errors = 0
    for page in sorted(stats.times):
        times = stats.times[page]
        total += len(times)
        errors += stats.errors[page]
        print(f"{page:<24}{len(times):>9}{len(times) / elapsed:>8.1f}{percentile(times, .5) * 1000:>8.0f}"
              f"{percentile(times, .95) * 1000:>8.0f}{percentile(times, .99) * 1000:>8.0f}{stats.errors[page]:>8}")
    print(f"{'all':<24}{total:>9}{total / elapsed:>8.1f}{'':>24}{errors:>8}")
    if stats.kinds:
        print("errors by kind: " + ", ".join(f"{kind} x{count}" for kind, count in sorted(stats.kinds.items())))
    locked = text.count("database is locked")
    print(f"worker crashes (segfault / fatal error): {crashes}; worker timeouts: {timeouts}; "
          f"'database is locked' in the log: {locked}")
    print("HR: " + ", ".join(f"{key} {value:.2f}" if isinstance(value, float) else f"{key} {value}"
                              for key, value in report.items()))
    if crashes or errors:
        print(f"(gunicorn's log: {log_path})")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


if __name__ == "__main__":
    main()
