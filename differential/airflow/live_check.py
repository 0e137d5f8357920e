"""Check the in-process Airflow oracle against a real Airflow 3 server on 127.0.0.1.

    PYTHONTZPATH= differential/.venv-airflow/bin/python differential/airflow/live_check.py [--cases 20] [--seed 20261201] [--create 3] [--planner target/server/backfill]

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
empty dry run, checks the create route refuses it (422 "No runs to create"). With `--planner BIN`
it then runs the planner's exported Airflow script (`BIN export FILE --to airflow`, run with `sh`,
AIRFLOW_URL/AIRFLOW_TOKEN set) on `examples/airflow/nightly_etl.py` and on a copy of it
(`nightly_etl_fall`, a request body pasted below it: a fall-back window, run_backwards) and
compares the runs the script's backfill made with `BIN plan FILE --format json`; once, with the
script's expected dry-run count tampered, it must exit 1 and create nothing (see `script_checks`).
Prints `N agreed, N differed` and stops the servers (also on error
or Ctrl-C). Exit status 1 when anything differed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
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


REPO = os.path.dirname(HERE)  # the repository root
EXAMPLE = os.path.join(REPO, "examples", "airflow", "nightly_etl.py")
# The second DAG file: the example under another dag_id (one running backfill per DAG) with the
# request body pasted below it, which gives the planner the window and run_backwards. The window
# crosses the fall-back change of 2024-11-03 in America/New_York and from_date is a fire time with
# its offset (the first run's run_id keeps it).
FALL_ID = "nightly_etl_fall"
FALL_BODY = """
# POST /api/v2/backfills
{
    "dag_id": "%s",
    "from_date": "2024-11-01T02:30:00-04:00",
    "to_date": "2024-11-05T02:30:00-05:00",
    "run_backwards": True,
    "max_active_runs": 2,
    "reprocess_behavior": "none",
}
""" % FALL_ID


def script_checks(http: Http, servers: Servers, dags: str, planner: str) -> tuple[int, int]:
    """The planner's `export --to airflow` script against the live server. Returns (agreed, differed)."""
    ok = bad = 0
    tmp = servers.env["TMPDIR"]

    def planner_out(*args) -> str:
        p = subprocess.run([planner, *args], capture_output=True, text=True, timeout=60, cwd=REPO)
        if p.returncode:
            raise RuntimeError(f"{planner} {' '.join(args)} failed ({p.returncode}): {p.stderr[-1500:]}")
        return p.stdout

    with open(EXAMPLE) as f:
        text = f.read()
    if text.count('dag_id="nightly_etl"') != 1:
        raise RuntimeError(f'{EXAMPLE} no longer says dag_id="nightly_etl" once')
    first = os.path.join(dags, "nightly_etl.py")
    shutil.copyfile(EXAMPLE, first)
    fall = os.path.join(dags, f"{FALL_ID}.py")
    with open(fall, "w") as f:
        f.write(text.replace('dag_id="nightly_etl"', f'dag_id="{FALL_ID}"') + FALL_BODY)
    window = ["--start", "2024-03-08T00:00:00-05:00", "--end", "2024-03-12T02:30:00-04:00"]
    # (label, dag_id, planner file and options, tamper the script first?)
    cases = [("spring-forward window", "nightly_etl", [EXAMPLE, *window], True),
             ("fall-back window, run_backwards (pasted request)", FALL_ID, [fall], False)]

    t = time.time()
    while True:  # the dag-processor lists the folder every 5 s ([dag_processor] refresh_interval)
        code, body = http.call("GET", "/api/v2/dags?limit=1000&dag_id_pattern=nightly_etl")
        have = {d["dag_id"] for d in body.get("dags", [])} if code == 200 else set()
        code_e, errs = http.call("GET", "/api/v2/importErrors?limit=1000")
        if code_e == 200 and errs.get("import_errors"):
            raise RuntimeError("import errors: " + json.dumps(errs["import_errors"])[:3000])
        if {"nightly_etl", FALL_ID} <= have:
            break
        if time.time() - t > 60:
            raise RuntimeError(f"nightly_etl DAGs not parsed after 60 s (have {sorted(have)})")
        time.sleep(0.5)
    say(f"script: nightly_etl and {FALL_ID} parsed in {time.time() - t:.1f} s")

    code, tok = http.call("GET", "/auth/token")  # SIMPLE_AUTH_MANAGER_ALL_ADMINS: no password needed
    if code not in (200, 201) or not isinstance(tok, dict) or not tok.get("access_token"):
        with open(servers.env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]) as f:
            pw = json.load(f)["admin"]
        code, tok = http.call("POST", "/auth/token", {"username": "admin", "password": pw})
        if code not in (200, 201) or not isinstance(tok, dict) or not tok.get("access_token"):
            raise RuntimeError(f"no token from /auth/token: {code} {json.dumps(tok)[:300]}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({"AIRFLOW_URL": http.base, "AIRFLOW_TOKEN": tok["access_token"], "TMPDIR": tmp})
    for k in ("NO_PROXY", "no_proxy"):
        env[k] = ",".join(x for x in (env.get(k), "127.0.0.1", "localhost") if x)

    def run_script(text: str, name: str) -> subprocess.CompletedProcess:
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run(["sh", path], env=env, capture_output=True, text=True, timeout=90)

    def backfills(dag_id: str) -> list:
        code, body = http.call("GET", f"/api/v2/backfills?dag_id={dag_id}&limit=100")
        if code != 200:
            raise RuntimeError(f"GET /api/v2/backfills?dag_id={dag_id}: {code} {json.dumps(body)[:300]}")
        return body.get("backfills", [])

    seen_re = re.compile(r'\[ "\$seen" != "(\d+)( \S+ \S+)" \]')
    for label, dag_id, files, tamper in cases:
        script = planner_out("export", *files, "--to", "airflow")
        plan = json.loads(planner_out("plan", *files, "--format", "json"))
        want = [(r["vars"]["run_id"], utc(r["vars"]["logical_date"]), utc(r["vars"]["data_interval_start"]),
                 utc(r["vars"]["data_interval_end"]), utc(r["vars"]["run_after"])) for r in plan["runs"]]
        if f'"dag_id": "{dag_id}"' not in script:
            bad += 1
            say(f"script: DIFFER {label}: the exported body does not name dag_id {dag_id}")
            continue
        if tamper:
            m = seen_re.findall(script)
            if len(m) != 1:
                bad += 1
                say(f"script: DIFFER the script's dry-run check ({seen_re.pattern}) is not there once: {m}")
            else:
                wrong = f"{int(m[0][0]) + 1}{m[0][1]}"
                before = len(backfills(dag_id))
                p = run_script(seen_re.sub(f'[ "$seen" != "{wrong}" ]', script), f"{dag_id}-tampered.sh")
                after = len(backfills(dag_id))
                err = (p.stderr.strip().splitlines() or [""])[-1]
                if p.returncode == 1 and after == before:
                    ok += 1
                    say(f"script: agree   {label}, expected count tampered ({wrong}): exit 1, no backfill created ({err[:160]})")
                else:
                    bad += 1
                    say(f"script: DIFFER  {label}, expected count tampered ({wrong}): exit {p.returncode}, "
                        f"backfills {before} -> {after}\n          stdout: {p.stdout[-800:]}\n          stderr: {p.stderr[-800:]}")
        before = {b["id"] for b in backfills(dag_id)}
        t = time.time()
        p = run_script(script, f"{dag_id}.sh")
        took = time.time() - t
        if p.returncode != 0:
            bad += 1
            say(f"script: DIFFER  {label}: exit {p.returncode} ({took:.1f} s)\n          stdout: {p.stdout[-800:]}\n"
                f"          stderr: {p.stderr[-1500:]}")
            continue
        new = [b for b in backfills(dag_id) if b["id"] not in before]
        try:
            bf = json.loads(p.stdout.strip())
        except ValueError:
            bf = None
        if len(new) != 1 or not isinstance(bf, dict) or bf.get("id") != new[0]["id"]:
            bad += 1
            say(f"script: DIFFER  {label}: exit 0 but new backfills {json.dumps(new)[:500]}, script printed {p.stdout[-500:]}")
            continue
        made, ids_order = [], []
        while True:
            code, runs = http.call("GET", f"/api/v2/dags/{dag_id}/dagRuns?run_type=backfill"
                                          f"&limit=100&offset={len(made)}&order_by=id")
            page = runs.get("dag_runs", []) if code == 200 else []
            made += [(r["dag_run_id"], utc(r["logical_date"]), utc(r["data_interval_start"]),
                      utc(r["data_interval_end"]), utc(r["run_after"])) for r in page]
            if not page or len(made) >= runs.get("total_entries", 0):
                break
        ids_order = [m[0] for m in made]
        problems = []
        if sorted(made) != sorted(want):
            problems.append(f"runs\n          api:     {json.dumps(made)[:1500]}\n          planner: {json.dumps(want)[:1500]}")
        if bf.get("max_active_runs") != plan["summary"]["concurrency"]:
            problems.append(f"max_active_runs {bf.get('max_active_runs')} != the plan's concurrency {plan['summary']['concurrency']}")
        order = "in the plan's order" if ids_order == [w[0] for w in want] else "NOT in the plan's order (by id)"
        if problems:
            bad += 1
            say(f"script: DIFFER  {label}, backfill {bf['id']}: " + "; ".join(problems))
        else:
            ok += 1
            say(f"script: agree   {label}: exit 0 in {took:.1f} s, backfill {bf['id']} made {len(made)} runs, "
                f"run_id/logical_date/interval/run_after as planned, created {order} "
                f"(first {ids_order[0] if ids_order else '-'}; max_active_runs {bf.get('max_active_runs')})")
        http.call("PUT", f"/api/v2/backfills/{bf['id']}/cancel")
    return ok, bad


def main() -> int:
    ap = argparse.ArgumentParser(prog="live_check")
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--create", type=int, default=4, help="also create this many backfills and compare their runs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary AIRFLOW_HOME (logs)")
    ap.add_argument("--planner", help="also run this planner binary's `export --to airflow` script against the server")
    args = ap.parse_args()
    planner = os.path.abspath(args.planner) if args.planner else None
    if planner and not os.access(planner, os.X_OK):
        ap.error(f"--planner {args.planner}: not an executable file")

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
    script_ok = script_bad = 0

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

        if planner:
            t4 = time.time()
            try:
                script_ok, script_bad = script_checks(http, servers, dags, planner)
            except (RuntimeError, OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
                script_bad += 1
                say(f"script: error: {type(e).__name__}: {e}")
            say(f"script: {script_ok} agreed, {script_bad} differed ({time.time() - t4:.1f} s)")
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
    if planner:
        say(f"script: exported backfill scripts: {script_ok} agreed, {script_bad} differed")
    print(f"{agreed} agreed, {differed} differed ({time.time() - t0:.0f} s)")
    return 1 if differed or created_bad or script_bad else 0


if __name__ == "__main__":
    sys.exit(main())
