"""Airflow 3.3.2: what `POST /api/v2/backfills/dry_run` yields (`airflow.models.backfill._do_dry_run`)
for a real DAG (task SDK `DAG` + one `EmptyOperator`) whose schedule is a cron string, a
timedelta / relativedelta, or a timetable instance, serialized as the dag-processor does.

Airflow cannot share `.venv` (flytekit's and dagster's pins), so its oracle is a subprocess in
`differential/.venv-airflow`: `harness/airflow_oracle.py`, one JSON line in, one out.

Compared, in the dry run's order: each run's logical_date, data interval start and end and
run_after (normalized to UTC) and its run_id (`backfill__<run_after.isoformat()>`, text as is);
an error only as "error". What is compared is what creating the backfill makes: the dry run's
runs less those whose logical_date an earlier run took, and an error where the dry run is empty
(the create route refuses it: NoBackfillRunsToCreate).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import random
import subprocess
import tempfile

from . import crons, zones
from .common import Case, Outcome

CAP = 1500  # the oracle answers "too large" above this many runs (counted before the now filter)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # differential/
PYTHON = os.path.join(HERE, ".venv-airflow", "bin", "python")

KINDS = (["cron_trigger"] * 8 + ["cron_data_interval"] * 5 + ["delta_trigger"] * 4 + ["delta_data_interval"] * 4
         + ["multi_cron"] * 3 + ["events"] * 2)
PRESETS = ["@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"]
# Crons whose fires sit where DST moves the clock, and the every-hour kind (`_covers_every_hour`).
DST_CRONS = ["30 2 * * *", "0 2 * * *", "30 1 * * *", "0 3 * * *", "30 * * * *", "*/15 * * * *", "0 * * * *",
             "0 * 1 * *", "15,45 * * * *", "* 2 * * *", "0 1-3 * * *", "0 */2 * * *", "0 0 * * *",
             "30 2 * * 0", "0 2 1 * *", "*/30 1-3 * * *", "0 * * * 0", "59 * * * *"]
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
                "month": 30 * 86400, "year": 365 * 86400}
FMT = "%Y-%m-%dT%H:%M:%S"
FIELDS = ["logical_date", "data_interval_start", "data_interval_end", "run_after", "run_id"]


def _cron(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.03:
        return rng.choice(["@once", "@continuous"])  # not periodic: refused
    if r < 0.15:
        return rng.choice(PRESETS + crons.NICKNAMES)
    if r < 0.50:
        return rng.choice(DST_CRONS)
    f = crons.five_fields(rng, special=True, wrap=True)
    if r < 0.55:
        f.append(str(rng.choice([0, 0, 30, 15, rng.randint(0, 59)])))  # croniter's seconds, last
    elif r < 0.56:
        f = f[:4]  # too few fields
    return " ".join(f)


def _every(rng: random.Random) -> dict:
    unit = rng.choice(["second", "minute", "minute", "hour", "hour", "hour", "day", "day", "day", "week",
                       "month", "month", "year"])
    count = {"second": lambda: rng.choice([1, 30, 90, 600, 3600, 5400, 86400, 86401]),
             "minute": lambda: rng.choice([1, 5, 15, 30, 45, 90, 1440]),
             "hour": lambda: rng.choice([1, 1, 2, 3, 6, 12, 24, 25, 36, 48]),
             "day": lambda: rng.choice([1, 1, 1, 2, 3, 7, 10, 30]),
             "week": lambda: rng.choice([1, 1, 2, 4]),
             "month": lambda: rng.choice([1, 1, 1, 2, 3, 6, 12]),
             "year": lambda: rng.choice([1, 1, 2])}[unit]()
    if rng.random() < 0.02:
        count = rng.choice([0, -1])  # not positive: refused
    return {"unit": unit, "count": count}


def _fine(cron: str) -> str:
    """How often a cron fires, roughly: "minute", "hour" or "day" (for the window's span)."""
    if cron.startswith("@"):
        return "hour" if cron == "@hourly" else "day"
    f = cron.split()
    if len(f) < 5:
        return "day"
    if f[1] in ("*", "?") or f[1].startswith("*/"):
        many = f[0] in ("*",) or f[0].startswith("*/") or "," in f[0] or "-" in f[0] or "/" in f[0]
        return "minute" if many else "hour"
    return "day"


def _aware(naive: dt.datetime, zone: str) -> dt.datetime:
    tz = zones.tzinfo(zone) if zone != "UTC" else dt.timezone.utc
    return naive.replace(tzinfo=tz, fold=1)


def _write(rng: random.Random, naive: dt.datetime, zone: str) -> str:
    """A wall time in `zone` as the REST API may get it: with the zone's offset, in UTC, with
    another offset, or naive (which the API server reads as UTC, its default_timezone)."""
    moment = _aware(naive, zone)
    r = rng.random()
    if r < 0.15:
        return naive.strftime(FMT)  # naive: read as UTC by the route (coerce_datetime)
    if r < 0.50:
        off = moment.utcoffset()
        if off.total_seconds() % 60 == 0:
            return moment.replace(fold=0).astimezone(dt.timezone(off)).isoformat()
    if r < 0.60:
        other = dt.timezone(dt.timedelta(minutes=rng.choice([-600, -300, -150, 60, 120, 330, 345, 780])))
        return moment.astimezone(other).isoformat()
    utc = moment.astimezone(dt.timezone.utc)
    return utc.strftime(FMT) + "Z" if rng.random() < 0.5 else utc.isoformat()


def _instant(text: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)


def _next_fire(cron: str, naive: dt.datetime):
    """The cron's first wall time at or after `naive` (croniter, as the timetable uses), or None."""
    try:
        from croniter import croniter

        if cron.startswith("@"):
            cron = {"@quarterly": "0 0 1 */3 *"}.get(cron, cron)
        return croniter(cron, start_time=naive - dt.timedelta(seconds=1)).get_next(dt.datetime)
    except Exception:
        return None


def _moment(rng: random.Random, zone: str) -> dt.datetime:
    r = rng.random()
    year = 2011 if zone == "Pacific/Apia" and r < 0.3 else rng.randint(1971, 2030) if r < 0.97 else rng.randint(1900, 1969)
    start = zones.near_transition(rng, zone, year) if zone not in ("UTC",) and zone[0] not in "+-" and rng.random() < 0.65 else None
    if start is None:
        start = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        if rng.random() < 0.25:
            start = dt.datetime(year, rng.randint(1, 12), 1) + dt.timedelta(days=27 + rng.randint(0, 4))
    start = start.replace(microsecond=0)
    r = rng.random()
    if r < 0.35:
        start = start.replace(minute=0, second=0)
    elif r < 0.55:
        start = start.replace(hour=0, minute=0, second=0)
    elif r < 0.6:
        start = start.replace(second=rng.randint(0, 59))
    elif r < 0.75:
        start = start.replace(minute=rng.choice([0, 15, 30, 45]), second=0)
    return start


def generate(rng: random.Random, n: int) -> list:
    cases = []
    for i in range(n):
        kind = rng.choice(KINDS)
        r = rng.random()
        zone = "UTC" if r < 0.25 else rng.choice(zones.FIXED) if r < 0.35 else rng.choice(zones.IANA)
        inp = {"timetable": kind, "cron": None, "every": None, "interval": None, "zone": zone}
        start = _moment(rng, zone)
        if kind.startswith("cron") or kind == "multi_cron":
            cron = _cron(rng)
            inp["cron"] = cron
            if kind == "multi_cron":
                # MultipleCronTriggerTimetable: the first cron and one or two more.
                inp["crons"] = [cron] + [rng.choice(DST_CRONS) if rng.random() < 0.5 else _cron(rng)
                                         for _ in range(rng.choice([1, 1, 2]))]
            if kind in ("cron_trigger", "multi_cron") and rng.random() < 0.2:
                inp["interval"] = rng.choice([{"unit": "hour", "count": 24}, {"unit": "hour", "count": 1},
                                              {"unit": "day", "count": 1}, {"unit": "minute", "count": 30},
                                              {"unit": "week", "count": 1}, {"unit": "month", "count": 1},
                                              {"unit": "second", "count": 90}, {"unit": "year", "count": 1}])
            if rng.random() < 0.25:
                fire = _next_fire(cron, start)
                if fire is not None and fire.year < 2100:
                    start = fire  # from_date right on a fire time
            fine = _fine(cron)
            hours = {"minute": [1, 3, 6, 12, 24], "hour": [3, 6, 24, 50, 24 * 7, 24 * 40],
                     "day": [24, 50, 24 * 7, 24 * 40, 24 * 400, 24 * 1000]}[fine]
            span = dt.timedelta(hours=rng.choice(hours), minutes=rng.choice([0, 0, 0, 17, 30]))
            period = dt.timedelta(days=400)
        elif kind == "events":
            # EventsTimetable: moments around the window, some twice, with their own offsets.
            span = dt.timedelta(hours=rng.choice([1, 24, 24 * 7, 24 * 60]))
            period = span
            k = rng.choice([0, 1, 3, 5, 8, 12])
            moments = [start + span * (rng.random() * 1.6 - 0.3) for _ in range(k)]
            moments = [m.replace(microsecond=0, second=0) for m in moments]
            if moments and rng.random() < 0.3:
                moments.append(moments[0])  # listed twice: runs once
            if rng.random() < 0.3:
                moments.append(start)  # on the from_date
            inp["events"] = [_write(rng, m, zone) for m in moments]
        else:
            every = _every(rng)
            inp["every"] = every
            period = dt.timedelta(seconds=max(1, every["count"]) * UNIT_SECONDS[every["unit"]])
            k = rng.choice([0, 1, 2, 3, 5, 10, 24, 40, 100, 400, 1200])
            k = max(0, min(k, int(dt.timedelta(days=3000) / period)))
            span = period * k
            if rng.random() < 0.5:
                span += period * rng.random()
        end = (start + span).replace(microsecond=0)
        r = rng.random()
        if r < 0.03:
            end = start - dt.timedelta(hours=rng.choice([1, 24]))  # from > to
        elif r < 0.06:
            end = start  # from == to
        inp["from_date"] = _write(rng, start, zone)
        inp["to_date"] = _write(rng, end, zone)
        inp["reverse"] = rng.random() < 0.3

        # now: mostly after the window; sometimes inside it (runs' data_interval_end straddles it,
        # exactly on the last run's end now and then); sometimes before it (future dates).
        f, t = _instant(inp["from_date"]), _instant(inp["to_date"])
        lo, hi = min(f, t), max(f, t)
        r = rng.random()
        if r < 0.70:
            now = hi + period + dt.timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
        elif r < 0.85:
            now = lo + (hi - lo) * rng.random()
        elif r < 0.90:
            now = hi
        elif r < 0.95:
            now = lo
        else:
            now = lo - dt.timedelta(hours=rng.choice([1, 24, 24 * 40]))
        inp["now"] = now.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()

        # The DAG's own start_date / end_date / catchup (a backfill does not read them).
        inp["dag_start"] = None
        inp["dag_end"] = None
        inp["catchup"] = False
        if rng.random() < 0.6:
            s = start + dt.timedelta(days=rng.choice([-3000, -400, -40, -1, 0, 1, 40, 400]))
            inp["dag_start"] = s.replace(second=0).strftime(FMT)
            inp["catchup"] = rng.random() < 0.5
            if rng.random() < 0.3:
                e = s + dt.timedelta(days=rng.choice([1, 30, 400, 4000]))
                inp["dag_end"] = e.replace(second=0).strftime(FMT)
        cases.append(Case(id=f"airflow-{i:06d}", engine_input=inp, spec=spec(inp),
                          planner_args=["--limit", "100000"]))
    return cases


def _unit(d: dict) -> str:
    return f"{{unit: {d['unit']}, count: {d['count']}}}"


def spec(inp: dict) -> str:
    kind = inp["timetable"]
    if kind == "events":
        parts = ["events: [" + ", ".join(f'"{e}"' for e in inp["events"]) + "]"]
    elif kind == "multi_cron":
        parts = ["cron: [" + ", ".join(f'"{c}"' for c in inp["crons"]) + "]"]
        if inp.get("interval"):
            parts.append(f"interval: {_unit(inp['interval'])}")
    elif kind.startswith("cron"):
        parts = [f'cron: "{inp["cron"]}"']
        if kind == "cron_data_interval":
            parts.append("timetable: data_interval")
        if inp.get("interval"):
            parts.append(f"interval: {_unit(inp['interval'])}")
    else:
        parts = [f"every: {_unit(inp['every'])}"]
        if kind == "delta_data_interval":
            parts.append("timetable: data_interval")
    lines = ["engine: airflow", "schedule: {" + ", ".join(parts) + "}"]
    if inp["zone"] != "UTC":
        lines.append(f'timezone: "{inp["zone"]}"')
    lines.append(f'window: {{start: "{inp["from_date"]}", end: "{inp["to_date"]}"}}')
    lines.append(f'now: "{inp["now"]}"')
    if inp["reverse"]:
        lines.append("order: newest_first")
    return "\n".join(lines) + "\n"


class Oracle:
    """Talks to `python -m harness.airflow_oracle` in .venv-airflow (started once, on first use)."""

    def __init__(self, check_db: bool = False):
        self._proc = None
        self._log = None
        self._check_db = check_db or os.environ.get("AIRFLOW_ORACLE_CHECK_DB") == "1"

    def _start(self):
        if not os.path.exists(PYTHON):
            raise RuntimeError(f"no {PYTHON}: differential/run makes it (requirements-airflow.txt)")
        env = dict(os.environ, PYTHONTZPATH="", PYTHONHASHSEED="0")
        self._log = tempfile.NamedTemporaryFile(prefix="airflow-oracle-", suffix=".log", delete=False)
        args = [PYTHON, "-m", "harness.airflow_oracle"] + (["--check-db"] if self._check_db else [])
        self._proc = subprocess.Popen(args, cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._log, text=True, bufsize=1)
        atexit.register(self.close)

    def raw(self, inp: dict) -> dict:
        """The oracle's own answer (a dict, see harness/airflow_oracle.py)."""
        if self._proc is None:
            self._start()
        self._proc.stdin.write(json.dumps(inp) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            with open(self._log.name, errors="replace") as f:
                tail = f.read()[-3000:]
            raise RuntimeError(f"the airflow oracle stopped (exit {self._proc.returncode}); its log "
                               f"{self._log.name} ends:\n{tail}")
        return json.loads(line)

    def answer(self, inp: dict) -> Outcome | None:
        """The runs the backfill creates (`POST /api/v2/backfills`): the dry run's, in its order,
        less the ones creating skips (a logical_date already taken), and an error where the dry
        run is empty (NoBackfillRunsToCreate). See FINDINGS-airflow.md, "dry run vs create"."""
        a = self.raw(inp)
        if a.get("too_large"):
            return None
        if not a["ok"]:
            return Outcome(ok=False, error=a["error"])
        if a.get("create_error"):
            return Outcome(ok=False, error=a["create_error"])
        skipped = set(a.get("skipped", ()))
        return Outcome(ok=True, runs=[{k: r[k] for k in FIELDS} for i, r in enumerate(a["runs"]) if i not in skipped])

    def close(self):
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
            if self._proc.returncode == 0:
                os.unlink(self._log.name)
            self._proc = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _utc(text):
    if text is None:
        return None
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.astimezone(dt.timezone.utc).isoformat()


def planner_answer(inp: dict, value: dict) -> Outcome:
    if "runs" not in value:
        errs = [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]
        return Outcome(ok=False, error="; ".join(f"{d['code']}: {d['message']}" for d in errs) or str(value)[:300])
    runs = []
    for r in value["runs"]:
        v = r.get("vars", {})
        runs.append({"logical_date": _utc(r.get("logical_date")), "data_interval_start": _utc(r.get("interval_start")),
                     "data_interval_end": _utc(r.get("interval_end")), "run_after": _utc(v.get("run_after")),
                     "run_id": v.get("run_id")})
    return Outcome(ok=True, runs=runs)
