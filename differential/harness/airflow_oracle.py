"""Airflow 3.3.2's backfill dry run, run in-process: the airflow oracle.

Runs inside differential/.venv-airflow (never the harness's .venv) as a long-lived subprocess:

    cd differential && PYTHONTZPATH= .venv-airflow/bin/python -m harness.airflow_oracle [--check-db]

Reads one JSON engine input per line on stdin (the shape `harness/airflow.py` generates) and
writes one JSON answer per line on stdout:

    {"ok": true, "runs": [{"logical_date", "data_interval_start", "data_interval_end",
                           "run_after", "run_id"}, ...]}         # in the order the dry run yields
    {"ok": false, "error": "ExceptionClass: message"}
    {"ok": true, "too_large": true}                                # more than CAP runs in the window

Creating the backfill (`POST /api/v2/backfills`) differs from its dry run in two ways, and the
answer says so: an empty dry run carries `"create_error": "NoBackfillRunsToCreate: ..."` (the
create route answers 422), and `"skipped": [i, ...]` lists the dry-run runs that creating does not
make because an earlier run of the list has the same logical_date.

Every instant is UTC ISO 8601 (`2024-01-01T02:00:00+00:00`); run_id is Airflow's own text.

Per case: the DAG is written as the Python source a user would write (`dag_source`, also what
`differential/airflow/live_check.py` puts in a real dag-processor's folder), executed, validated
and serialized as the dag-processor does (`DagSerialization.to_dict`, through JSON), and read
back as the core `SerializedDAG` the API server uses. The REST body goes through the route's own
pydantic model (`BackfillPostBody`, JSON mode) and `timezone.coerce_datetime`, as
`POST /api/v2/backfills/dry_run` does, and then `airflow.models.backfill._do_dry_run` runs with
`timezone.utcnow` set to the case's `now` (every module that imported it is patched).

`_do_dry_run` is normally given a session stand-in that answers "this serialized DAG" to its
first query and "no such run" to the others (an empty metadata DB). Every 10th case, and every
case with `--check-db`, also goes the real way: the DAG is written to a real SQLite metadata DB
(`update_dag_parsing_results_in_db`, what the dag-processor's manager calls) and `_do_dry_run`
runs with a real session, and then `_create_backfill` (the create route's call) makes the
backfill, whose DAG runs are read back; the dry runs must be the same and the created runs (or
the refusal) must be what the dry run said, or the oracle stops.

Nothing of Airflow is copied here: its code is called.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import time

CAP = 1500

# The metadata DB is written often (a DAG per case, backfills for the DB-path sample): in memory
# (/dev/shm) where there is one.
_HOME = tempfile.mkdtemp(prefix="airflow-oracle-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.makedirs(os.path.join(_HOME, "dags"), exist_ok=True)
os.environ.update({
    "AIRFLOW_HOME": _HOME,
    "AIRFLOW__CORE__DAGS_FOLDER": os.path.join(_HOME, "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
    "AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "CRITICAL",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "true",
    # The harness's default: cron strings and deltas become trigger timetables; a case asks for
    # the data-interval timetables by setting this key (the one the task SDK reads, see
    # FINDINGS-airflow.md) while its DAG is built.
    "AIRFLOW__SCHEDULER__CREATE_CRON_DATA_INTERVALS": "False",
})
os.environ.pop("AIRFLOW__SCHEDULER__CREATE_DELTA_DATA_INTERVALS", None)

UNITS_TD = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


def _delta_source(d: dict) -> str:
    """An `every`/`interval` object as Python source: a timedelta, or a relativedelta."""
    unit, count = d["unit"], int(d["count"])
    if unit in UNITS_TD:
        return f"datetime.timedelta({UNITS_TD[unit]}={count})"
    if unit == "month":
        return f"relativedelta(months={count})"
    if unit == "year":
        return f"relativedelta(years={count})"
    raise ValueError(f"unknown unit {unit!r}")


def _zone_source(zone: str | None) -> str:
    if not zone or zone == "UTC":
        return 'pendulum.timezone("UTC")'
    if zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        h, m = zone[1:].split(":")
        return f"pendulum.FixedTimezone({sign * (int(h) * 3600 + int(m) * 60)})"
    return f"pendulum.timezone({zone!r})"


def _wall_source(text: str | None, zone_src: str) -> str:
    """A naive wall time `YYYY-MM-DDTHH:MM[:SS]` in the DAG's zone, as a pendulum datetime."""
    if text is None:
        return "None"
    import datetime as _dt

    w = _dt.datetime.fromisoformat(text)
    return (f"pendulum.datetime({w.year}, {w.month}, {w.day}, {w.hour}, {w.minute}, {w.second}, "
            f"tz={zone_src})")


def schedule_form(inp: dict, explicit: bool = False) -> str:
    """How the case's schedule is written: "string" (a cron string or a delta, the timetable
    chosen by [scheduler] create_cron_data_intervals) or "timetable" (an instance).

    A timetable instance is needed for a cron_trigger `interval`, and for a cron in a zone that
    no start_date carries (a DAG's zone is its start_date's). `explicit` (the live check, whose
    dag-processor has one config for all its DAGs) writes the data-interval kinds as instances.
    """
    kind = inp["timetable"]
    if kind in ("multi_cron", "events"):
        return "timetable"
    if kind == "cron_trigger" and inp.get("interval"):
        return "timetable"
    if kind.startswith("cron") and inp.get("dag_start") is None and (inp.get("zone") or "UTC") != "UTC":
        return "timetable"
    if explicit and kind.endswith("data_interval"):
        return "timetable"
    return "string"


def dag_source(inp: dict, dag_id: str, explicit: bool = False) -> str:
    """The DAG file a user would write for this case (one EmptyOperator)."""
    kind = inp["timetable"]
    zone_src = _zone_source(inp.get("zone"))
    form = schedule_form(inp, explicit)
    if kind == "events":
        dates = ", ".join(f"pendulum.parse({e!r})" for e in inp["events"])
        sched = f"EventsTimetable(event_dates=[{dates}])"
    elif kind == "multi_cron":
        extra = f", interval={_delta_source(inp['interval'])}" if inp.get("interval") else ""
        crons = ", ".join(repr(c) for c in inp["crons"])
        sched = f"MultipleCronTriggerTimetable({crons}, timezone={zone_src}{extra})"
    elif kind.startswith("cron"):
        cron = inp["cron"]
        if form == "string":
            sched = repr(cron)
        elif kind == "cron_trigger":
            extra = f", interval={_delta_source(inp['interval'])}" if inp.get("interval") else ""
            sched = f"CronTriggerTimetable({cron!r}, timezone={zone_src}{extra})"
        else:
            sched = f"CronDataIntervalTimetable({cron!r}, timezone={zone_src})"
    else:
        delta = _delta_source(inp["every"])
        if form == "string":
            sched = delta
        elif kind == "delta_trigger":
            sched = f"DeltaTriggerTimetable({delta})"
        else:
            sched = f"DeltaDataIntervalTimetable({delta})"
    return f'''import datetime

import pendulum
from dateutil.relativedelta import relativedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, CronTriggerTimetable, DeltaDataIntervalTimetable, DeltaTriggerTimetable, EventsTimetable, MultipleCronTriggerTimetable

with DAG(
    dag_id={dag_id!r},
    schedule={sched},
    start_date={_wall_source(inp.get("dag_start"), zone_src)},
    end_date={_wall_source(inp.get("dag_end"), zone_src)},
    catchup={bool(inp.get("catchup"))!r},
    max_active_runs={int(inp.get("max_active_runs", 3))},
) as dag:
    EmptyOperator(task_id="work")
'''


def wants_data_intervals(inp: dict) -> bool:
    """The [scheduler] create_cron_data_intervals value the case's DAG is built under."""
    return inp["timetable"].endswith("data_interval")


class _TooLarge(Exception):
    pass


def utc_iso(value) -> str | None:
    if value is None:
        return None
    import datetime as _dt

    return value.astimezone(_dt.timezone.utc).isoformat()


class Oracle:
    def __init__(self, check_db: bool = False, db_every: int = 10):
        self.check_db = check_db
        self.db_every = db_every  # every db_every-th case also goes through the metadata DB (0: none)
        self.count = 0
        self.db_checked = 0
        t0 = time.time()
        import datetime as dt

        from airflow.utils import db

        db.initdb()
        from airflow.dag_processing.bundles.manager import DagBundlesManager

        DagBundlesManager().sync_bundles_to_db()

        import airflow._shared.timezones.timezone as core_tz
        import airflow.models.backfill as backfill
        import airflow.serialization.definitions.dag as serdag_mod
        import airflow.timetables.interval  # noqa: F401  (imported so their utcnow is patched)
        import airflow.timetables.trigger  # noqa: F401
        from airflow.api_fastapi.core_api.datamodels.backfills import BackfillPostBody
        from airflow.dag_processing.collection import update_dag_parsing_results_in_db
        from airflow.models.dagrun import DagRun
        from airflow.serialization.serialized_objects import DagSerialization, LazyDeserializedDAG
        from airflow.utils.session import create_session
        from airflow.utils.types import DagRunType

        self.dt = dt
        self.core_tz = core_tz
        self.backfill = backfill
        self.BackfillPostBody = BackfillPostBody
        self.update_db = update_dag_parsing_results_in_db
        self.DagRun = DagRun
        self.DagRunType = DagRunType
        self.DagSerialization = DagSerialization
        self.LazyDeserializedDAG = LazyDeserializedDAG
        self.create_session = create_session

        # The clock: timezone.utcnow, wherever it was imported by name (backfill reads it as
        # `timezone.utcnow`, the timetables as `utcnow`), answers the case's `now`.
        self._now = dt.datetime.now(dt.timezone.utc)
        original = core_tz.utcnow
        fake = self._utcnow
        for mod in list(sys.modules.values()):
            try:
                if getattr(mod, "utcnow", None) is original:
                    setattr(mod, "utcnow", fake)
            except Exception:
                pass
        assert backfill.timezone.utcnow is fake and airflow.timetables.trigger.utcnow is fake

        # iter_dagrun_infos_between swallows a timetable's exception (log.exception) and ends the
        # iteration there; record it, so an answer can say why its runs stop.
        self._swallowed = []
        real_log = serdag_mod.log
        swallowed = self._swallowed

        class _Log:
            def __getattr__(self, name):
                return getattr(real_log, name)

            def exception(self, event, *a, **kw):
                swallowed.append(f"{type(sys.exc_info()[1]).__name__}: {sys.exc_info()[1]}")

        serdag_mod.log = _Log()
        self.setup_seconds = time.time() - t0

    def _utcnow(self):
        return self._now

    # -- one case -------------------------------------------------------------------------
    def _build(self, inp: dict, dag_id: str):
        """The DAG as the dag-processor makes it: executed, validated, serialized to JSON."""
        src = dag_source(inp, dag_id)
        os.environ["AIRFLOW__SCHEDULER__CREATE_CRON_DATA_INTERVALS"] = str(wants_data_intervals(inp))
        try:
            scope: dict = {"__name__": f"oracle_{dag_id}"}
            exec(compile(src, f"{dag_id}.py", "exec"), scope)
        finally:
            os.environ["AIRFLOW__SCHEDULER__CREATE_CRON_DATA_INTERVALS"] = "False"
        dag = scope["dag"]
        dag.fileloc = os.path.join(_HOME, "dags", f"{dag_id}.py")
        dag.validate()  # DagBag.process_file validates before bagging
        dag.check_cycle()
        return json.loads(json.dumps(self.DagSerialization.to_dict(dag)))

    def _body(self, inp: dict, dag_id: str):
        """The REST body through the route's pydantic model, then coerce_datetime (the route)."""
        body = self.BackfillPostBody.model_validate_json(json.dumps({
            "dag_id": dag_id, "from_date": inp["from_date"], "to_date": inp["to_date"],
            "run_backwards": bool(inp["reverse"]), "reprocess_behavior": "none",
            "max_active_runs": int(inp.get("max_active_runs", 3))}))
        coerce = self.core_tz.coerce_datetime
        return body, coerce(body.from_date), coerce(body.to_date)

    def _runs(self, infos) -> list:
        out = []
        for info in infos:
            run_id = self.DagRun.generate_run_id(run_type=self.DagRunType.BACKFILL_JOB,
                                                 logical_date=info.logical_date, run_after=info.run_after)
            di = info.data_interval
            out.append({"logical_date": utc_iso(info.logical_date),
                        "data_interval_start": utc_iso(di.start if di else None),
                        "data_interval_end": utc_iso(di.end if di else None),
                        "run_after": utc_iso(info.run_after),
                        "run_id": run_id})
        return out

    def _dry_run(self, body, from_date, to_date, session) -> list:
        return self._runs(self.backfill._do_dry_run(
            dag_id=body.dag_id, from_date=from_date, to_date=to_date, reverse=body.run_backwards,
            reprocess_behavior=body.reprocess_behavior, dag_run_conf=body.dag_run_conf, session=session))

    def answer(self, inp: dict) -> dict:
        self.count += 1
        n = self.count
        dag_id = f"case_{n:06d}"
        self._now = self.dt.datetime.fromisoformat(inp["now"]).astimezone(self.core_tz.utc)
        del self._swallowed[:]
        try:
            data = self._build(inp, dag_id)
        except Exception as e:
            return {"ok": False, "error": f"{type(e).__name__}: {e}", "stage": "dag"}
        try:
            body, from_date, to_date = self._body(inp, dag_id)
        except Exception as e:
            return {"ok": False, "error": f"{type(e).__name__}: {e}", "stage": "body"}
        sdag = self.DagSerialization.from_dict(data)

        # Too large? The dry run lists every run between from and to before it filters by now:
        # the DAG's iteration is wrapped to stop past CAP runs (the runs it yields are Airflow's).
        real_iter = sdag.iter_dagrun_infos_between

        def capped(earliest, latest):
            for k, info in enumerate(real_iter(earliest, latest)):
                if k >= CAP:
                    raise _TooLarge()
                yield info

        sdag.iter_dagrun_infos_between = capped

        class _EmptyDb:
            """The session of an empty metadata DB holding just this serialized DAG."""

            def __init__(self, dag):
                self._row = type("SerializedDagRow", (), {"dag": dag})()

            def scalar(self, statement=None, *args, **kwargs):
                row, self._row = self._row, None
                return row

        try:
            runs = self._dry_run(body, from_date, to_date, _EmptyDb(sdag))
            out = {"ok": True, "runs": runs}
            # Creating the backfill makes these runs in this order, except that a run whose
            # logical_date an earlier one already took is not made (the earlier run is queued, so
            # _create_backfill_dag_run_non_partitioned records it as IN_FLIGHT): a relativedelta
            # `interval` can give two run_afters the same logical_date (Mar 28 and Mar 31 - 1 month).
            seen, skipped = set(), []
            for i, r in enumerate(runs):
                if r["logical_date"] in seen:
                    skipped.append(i)
                seen.add(r["logical_date"])
            if skipped:
                out["skipped"] = skipped
            if not runs:
                # What `POST /api/v2/backfills` then does (_create_backfill: `if not dagrun_info_list`).
                out["create_error"] = (f"NoBackfillRunsToCreate: No runs to create for Dag {dag_id} in the "
                                       f"range [{from_date}, {to_date}]")
        except _TooLarge:
            return {"ok": True, "too_large": True}
        except Exception as e:
            out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        if self._swallowed:
            out["swallowed"] = list(self._swallowed)

        if self.check_db or (self.db_every and n % self.db_every == 1):
            self.db_checked += 1
            dry, created = self._db_answer(inp, dag_id, data)
            mem = {k: v for k, v in out.items() if k != "swallowed"}
            # The created backfill: the same runs, or the same refusal.
            want_created = ({"ok": False, "error": out.get("create_error", out.get("error", ""))}
                            if not out["ok"] or not out["runs"] else
                            {"ok": True, "runs": [r for i, r in enumerate(out["runs"]) if i not in out.get("skipped", ())]})
            if dry != {k: v for k, v in mem.items() if k != "skipped"} or created != want_created:
                raise AssertionError(f"the DB path differs from the in-memory path for {json.dumps(inp)}:\n"
                                     f"  db dry run: {json.dumps(dry)[:2000]}\n"
                                     f"  db created: {json.dumps(created)[:2000]}\n"
                                     f"  memory:     {json.dumps(out)[:2000]}")
        return out

    def _db_answer(self, inp: dict, dag_id: str, data: dict) -> tuple:
        """The real way: the serialized DAG into the metadata DB (what the dag-processor's manager
        calls), `_do_dry_run` on a session (the dry-run route), then `_create_backfill` (the create
        route) and the DAG runs it wrote, in the backfill's order."""
        from sqlalchemy import select

        from airflow.models.backfill import BackfillDagRun

        with self.create_session() as session:
            self.update_db("dags-folder", None, [self.LazyDeserializedDAG(data=data)], {}, None, set(),
                           session=session)
        body, from_date, to_date = self._body(inp, dag_id)
        try:
            with self.create_session() as session:
                runs = self._dry_run(body, from_date, to_date, session)
                dry = {"ok": True, "runs": runs}
                if not runs:
                    dry["create_error"] = (f"NoBackfillRunsToCreate: No runs to create for Dag {dag_id} in "
                                           f"the range [{from_date}, {to_date}]")
        except Exception as e:
            dry = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        try:
            backfill = self.backfill._create_backfill(
                dag_id=dag_id, from_date=from_date, to_date=to_date, max_active_runs=body.max_active_runs,
                reverse=body.run_backwards, dag_run_conf=body.dag_run_conf, triggering_user_name="oracle",
                reprocess_behavior=body.reprocess_behavior, run_on_latest_version=True)
            with self.create_session() as session:
                rows = session.execute(
                    select(self.DagRun).join(BackfillDagRun, BackfillDagRun.dag_run_id == self.DagRun.id)
                    .where(BackfillDagRun.backfill_id == backfill.id).order_by(BackfillDagRun.sort_ordinal)
                ).scalars().all()
                created = {"ok": True, "runs": [
                    {"logical_date": utc_iso(r.logical_date), "data_interval_start": utc_iso(r.data_interval_start),
                     "data_interval_end": utc_iso(r.data_interval_end), "run_after": utc_iso(r.run_after),
                     "run_id": r.run_id} for r in rows]}
        except Exception as e:
            created = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        return dry, created


def main() -> int:
    check_db = "--check-db" in sys.argv[1:]
    # stdout carries only the answers: everything Airflow prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    import logging

    logging.disable(logging.CRITICAL)
    oracle = Oracle(check_db=check_db)
    t0 = time.time()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out = oracle.answer(json.loads(line))
        answers.write(json.dumps(out) + "\n")
        answers.flush()
    print(f"[airflow oracle] {oracle.count} cases in {time.time() - t0:.1f} s "
          f"(set-up {oracle.setup_seconds:.1f} s; {oracle.db_checked} also through the metadata DB)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
