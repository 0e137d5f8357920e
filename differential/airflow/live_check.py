"""Check the in-process Airflow oracle against a real Airflow 3 server on 127.0.0.1.

    PYTHONTZPATH= differential/.venv-airflow/bin/python differential/airflow/live_check.py [--cases 20] [--seed 20261201] [--create 3]

Starts `airflow api-server` (127.0.0.1 only, one worker) and `airflow dag-processor` on a fresh
SQLite metadata DB in a temporary AIRFLOW_HOME (the recipe of
/work/shared/research/engines-live.md §2: simple auth manager with every user admin, examples
off, no scheduler needed for a dry run), writes the DAG file of a seeded sample of the harness's
cases (`harness/airflow.py` generates them, `harness/airflow_oracle.py:dag_source` writes the
file), waits until the dag-processor has parsed every DAG, calls `POST /api/v2/backfills/dry_run`
for each and compares the returned logical dates, in order, with the in-process oracle's answer
(an oracle error must be an HTTP 422 with the same message). The server's clock is the real one,
so only cases whose window lies years in the past are sampled, and the oracle is asked with
`now` = the real time. For `--create` of the agreeing cases it also creates the backfill
(`POST /api/v2/backfills`) and compares the DAG runs it made (run_id, logical_date, data interval,
run_after) with the oracle's (the dry run less the runs it says creating skips), or, for an
empty dry run, checks the create route refuses it (422 "No runs to create"). Prints `N agreed, N differed` and stops the servers (also on error
or Ctrl-C). Exit status 1 when anything differed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # differential/
sys.path.insert(0, HERE)

from harness import airflow as harness_airflow  # noqa: E402
from harness import airflow_oracle  # noqa: E402  (sets AIRFLOW_HOME for this process: see below)

VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))


def say(msg: str) -> None:
    print(f"[live-check] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def utc(text: str | None) -> str | None:
    if text is None:
        return None
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return d.astimezone(dt.timezone.utc).isoformat()


class Http:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")


class Servers:
    """airflow api-server + dag-processor in their own sessions; stop() ends both."""

    def __init__(self, home: str, dags: str, port: int):
        self.home, self.dags, self.port = home, dags, port
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("AIRFLOW__"):
                del self.env[k]
        self.env.update({
            "AIRFLOW_HOME": home,
            "PYTHONTZPATH": "",
            "TMPDIR": os.path.join(home, "tmp"),
            "AIRFLOW__CORE__DAGS_FOLDER": dags,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": os.path.join(home, "passwords.json"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "true",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__SCHEDULER__CREATE_CRON_DATA_INTERVALS": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "2",
        })
        os.makedirs(self.env["TMPDIR"], exist_ok=True)

    def run(self, *args, timeout=300):
        p = subprocess.run([os.path.join(VENV_BIN, "airflow"), *args], env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if p.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")

    def start(self, name: str, *args):
        log = open(os.path.join(self.home, f"{name}.log"), "w")
        p = subprocess.Popen([os.path.join(VENV_BIN, "airflow"), *args], env=self.env, stdout=log,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append((name, p))
        return p

    def log_tail(self, name: str, n: int = 3000) -> str:
        try:
            with open(os.path.join(self.home, f"{name}.log"), errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 30
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=10)
        self.procs = []


def sample(seed: int, n: int, oracle: airflow_oracle.Oracle, real_now: dt.datetime) -> list:
    """The first n generated cases whose DAG imports and whose window ends years ago."""
    rng = random.Random(f"{seed}-airflow-live")
    picked = []
    limit = real_now - dt.timedelta(days=3 * 366)
    spare = None  # a case whose creation skips a run (a logical_date taken twice), if the pool has one
    for case in harness_airflow.generate(rng, 30 * n):
        if len(picked) == n and (spare or any(x.get("skipped") for *_, x in picked)):
            break
        inp = dict(case.engine_input, now=real_now.isoformat())
        try:
            f = harness_airflow._instant(inp["from_date"])
            t = harness_airflow._instant(inp["to_date"])
        except ValueError:
            continue
        if max(f, t) >= limit or min(f, t).year < 1900:
            continue
        a = oracle.answer(inp)
        if a.get("too_large") or a.get("stage") in ("dag", "body"):
            continue
        if a["ok"] and len(a["runs"]) > 600:
            continue
        if a["ok"] and not a["runs"] and sum(1 for *_, x in picked if x["ok"] and not x["runs"]) >= n // 5:
            continue  # a few empty answers, not many
        if len(picked) < n:
            picked.append((case, inp, a))
        elif a.get("skipped") and not spare:
            spare = (case, inp, a)
    if spare and n and not any(x.get("skipped") for *_, x in picked):
        picked[-1] = spare
    return picked


def main() -> int:
    ap = argparse.ArgumentParser(prog="live_check")
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--create", type=int, default=4, help="also create this many backfills and compare their runs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary AIRFLOW_HOME (logs)")
    args = ap.parse_args()

    t0 = time.time()
    real_now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    oracle = airflow_oracle.Oracle(db_every=0)  # the live server is the check here
    picked = sample(args.seed, args.cases, oracle, real_now)
    say(f"{len(picked)} cases sampled (seed {args.seed}), oracle answers in {time.time() - t0:.1f} s")

    home = tempfile.mkdtemp(prefix="airflow-live-")
    dags = os.path.join(home, "dags")
    os.makedirs(dags)
    ids = {}
    for i, (case, inp, _) in enumerate(picked):
        dag_id = f"live_{case.id.replace('-', '_')}"
        ids[case.id] = dag_id
        with open(os.path.join(dags, f"{dag_id}.py"), "w") as f:
            f.write(airflow_oracle.dag_source(inp, dag_id, explicit=True))

    port = free_port()
    servers = Servers(home, dags, port)
    http = Http(f"http://127.0.0.1:{port}")
    agreed = differed = 0
    created_ok = created_bad = 0

    def on_signal(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, on_signal)
    try:
        t1 = time.time()
        servers.run("db", "migrate")
        say(f"db migrate {time.time() - t1:.1f} s")
        servers.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
        servers.start("dag-processor", "dag-processor")
        deadline = time.time() + 180
        while True:
            for name, p in servers.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}):\n{servers.log_tail(name)}")
            try:
                code, h = http.call("GET", "/api/v2/monitor/health", timeout=5)
                if code == 200 and h.get("dag_processor", {}).get("status") == "healthy":
                    break
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                pass
            if time.time() > deadline:
                raise RuntimeError("the servers did not become healthy in 180 s:\n" + servers.log_tail("api-server"))
            time.sleep(0.5)
        say(f"api-server and dag-processor healthy on 127.0.0.1:{port} after {time.time() - t1:.1f} s")

        want = set(ids.values())
        t2 = time.time()
        while True:
            code, body = http.call("GET", "/api/v2/dags?limit=1000")
            have = {d["dag_id"] for d in body.get("dags", [])} if code == 200 else set()
            code_e, errs = http.call("GET", "/api/v2/importErrors?limit=1000")
            if code_e == 200 and errs.get("import_errors"):
                raise RuntimeError("import errors: " + json.dumps(errs["import_errors"])[:3000])
            if want <= have:
                break
            if time.time() - t2 > 300:
                raise RuntimeError(f"DAGs not parsed after 300 s: {sorted(want - have)}")
            time.sleep(1)
        say(f"all {len(want)} DAGs parsed in {time.time() - t2:.1f} s")

        create_left = args.create
        # Created for real: a case whose creation skips a run, one whose dry run is empty (the
        # create route refuses it), then those whose run_id keeps a non-UTC offset (from_date on a
        # fire time given with its offset), then the rest.
        def rank(i):
            a = picked[i][2]
            if not a.get("ok"):
                return 9
            if a.get("skipped"):
                return 0
            if not a["runs"]:
                return 1
            return 2 if any(not r["run_id"].endswith("+00:00") for r in a["runs"]) else 3

        order = [i for i in sorted(range(len(picked)), key=rank) if rank(i) < 9]
        firsts = [next(i for i in order if rank(i) == k) for k in (0, 1, 2, 3) if any(rank(i) == k for i in order)]
        create_set = set((firsts + [i for i in order if i not in firsts])[:create_left])

        for i, (case, inp, a) in enumerate(picked):
            dag_id = ids[case.id]
            req = {"dag_id": dag_id, "from_date": inp["from_date"], "to_date": inp["to_date"],
                   "run_backwards": bool(inp["reverse"]), "reprocess_behavior": "none", "max_active_runs": 3}
            code, body = http.call("POST", "/api/v2/backfills/dry_run", req)
            # The oracle again, at the clock of the call (windows are years old: this changes nothing).
            a = oracle.answer(dict(inp, now=dt.datetime.now(dt.timezone.utc).isoformat()))
            if a["ok"]:
                got = [utc(b["logical_date"]) for b in body.get("backfills", [])] if code == 200 else None
                want_dates = [r["logical_date"] for r in a["runs"]]
                same = got == want_dates
                shown = f"{len(want_dates)} runs"
            else:
                msg = a["error"].split(": ", 1)[1]
                same = code == 422 and msg in json.dumps(body)
                got, want_dates, shown = (code, body), a["error"], "error"
            if same:
                agreed += 1
                say(f"agree   {case.id} {inp['timetable']:19} {str(inp['cron'] or inp['every']):32} {shown}")
            else:
                differed += 1
                say(f"DIFFER  {case.id} {json.dumps(inp)}\n          api:    {json.dumps(got)[:1500]}\n"
                    f"          oracle: {json.dumps(want_dates)[:1500]}")
                continue
            if i in create_set:
                # SQLite answers 503 "database is locked" now and then (engines-live.md, addendum 1):
                # cancel a half-made backfill, wait, and try again.
                for attempt in range(6):
                    code, bf = http.call("POST", "/api/v2/backfills", req)
                    if code not in (503, 409):
                        break
                    _, active = http.call("GET", f"/api/v2/backfills?dag_id={dag_id}")
                    for b in (active or {}).get("backfills", []):
                        if not b.get("completed_at"):
                            http.call("PUT", f"/api/v2/backfills/{b['id']}/cancel")
                    time.sleep(1 + attempt)
                if a.get("create_error"):
                    msg = a["create_error"].split(": ", 1)[1].split(" for Dag ")[0]  # "No runs to create"
                    if code == 422 and msg in json.dumps(bf):
                        created_ok += 1
                        say(f"  create refused as the oracle says: {code} {json.dumps(bf)[:160]}")
                    else:
                        created_bad += 1
                        say(f"  CREATE NOT REFUSED {case.id}: {code} {json.dumps(bf)[:500]} (oracle: {a['create_error']})")
                    continue
                if code != 200:
                    created_bad += 1
                    say(f"CREATE FAILED {case.id}: {code} {json.dumps(bf)[:500]}")
                    continue
                made = []
                while True:  # pages of at most [api] maximum_page_limit (100)
                    code, runs = http.call("GET", f"/api/v2/dags/{dag_id}/dagRuns?run_type=backfill"
                                                  f"&limit=100&offset={len(made)}&order_by=id")
                    page = runs.get("dag_runs", []) if code == 200 else []
                    made += [(r["dag_run_id"], utc(r["logical_date"]), utc(r["data_interval_start"]),
                              utc(r["data_interval_end"]), utc(r["run_after"])) for r in page]
                    if not page or len(made) >= runs.get("total_entries", 0):
                        break
                made.sort()
                skipped = set(a.get("skipped", ()))
                exp = sorted((r["run_id"], r["logical_date"], r["data_interval_start"], r["data_interval_end"],
                              r["run_after"]) for k, r in enumerate(a["runs"]) if k not in skipped)
                if made == exp:
                    created_ok += 1
                    note = f" ({len(skipped)} dry-run runs not made, as the oracle says)" if skipped else ""
                    say(f"  created backfill {bf.get('id')}: {len(made)} runs{note}, run_ids/intervals/run_after agree "
                        f"(e.g. {next((m[0] for m in made if not m[0].endswith('+00:00')), made[0][0])})")
                else:
                    created_bad += 1
                    say(f"  CREATED RUNS DIFFER {case.id}\n          api:    {json.dumps(made)[:1500]}\n"
                        f"          oracle: {json.dumps(exp)[:1500]}")
                http.call("PUT", f"/api/v2/backfills/{bf.get('id')}/cancel")
    except KeyboardInterrupt:
        say("interrupted")
        differed += 1
    except Exception as e:  # the servers are stopped below, and the run fails
        say(f"error: {type(e).__name__}: {e}")
        differed += 1
    finally:
        t3 = time.time()
        servers.stop()
        say(f"servers stopped in {time.time() - t3:.1f} s")
        if args.keep:
            say(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    if args.create:
        say(f"created backfills: {created_ok} agreed, {created_bad} differed")
    print(f"{agreed} agreed, {differed} differed ({time.time() - t0:.0f} s)")
    return 1 if differed or created_bad else 0


if __name__ == "__main__":
    sys.exit(main())
