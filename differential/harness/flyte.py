"""Flyte: `flytekit.remote.backfill.create_backfill_workflow` on a real LaunchPlan whose
schedule is a `CronSchedule` (croniter underneath)."""

from __future__ import annotations

import datetime as dt
import random

from . import crons, zones
from .common import Case, Outcome

CAP = 1500
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _cron(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return rng.choice(crons.NICKNAMES)
    f = crons.five_fields(rng, special=True, wrap=True)
    if r < 0.18:
        f.append(str(rng.choice([0, 0, 30, 15, rng.randint(0, 59)])))  # seconds, last
    elif r < 0.24:
        f.append(str(rng.choice([0, 0, 30])))
        y = rng.randint(1990, 2030)
        f.append(rng.choice([str(y), f"{y}-{y + rng.randint(0, 5)}", "*"]))
    return " ".join(f)


def _span(rng: random.Random, cron: str) -> dt.timedelta:
    fine = cron.split()[0] in ("*",) or cron.split()[0].startswith("*/") if not cron.startswith("@") else False
    hours = [1, 3, 6, 12, 24, 50, 24 * 7, 24 * 40, 24 * 400, 24 * 3000]
    if fine:
        hours = hours[:5]
    return dt.timedelta(hours=rng.choice(hours), minutes=rng.choice([0, 0, 0, 17, 30]))


def _moment(rng: random.Random, zone):
    year = zones.interesting_year(rng, zone or "UTC")
    start = None
    if zone and rng.random() < 0.6:
        start = zones.near_transition(rng, zone, year)
    if start is None:
        start = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        if rng.random() < 0.3:
            # The last days of a month, for L and W.
            start = dt.datetime(year, rng.randint(1, 12), 1) + dt.timedelta(days=27 + rng.randint(0, 4))
    r = rng.random()
    if r < 0.4:
        start = start.replace(minute=0, second=0)
    elif r < 0.6:
        start = start.replace(hour=0, minute=0, second=0)
    elif r < 0.65:
        start = start.replace(second=rng.randint(0, 59))
    return start


def generate(rng: random.Random, n: int) -> list:
    cases = []
    for i in range(n):
        cron = _cron(rng)
        r = rng.random()
        zone = None if r < 0.3 else rng.choice(zones.FIXED) if r < 0.4 else rng.choice(zones.IANA)
        start = _moment(rng, zone)
        end = start + _span(rng, cron)
        if rng.random() < 0.03:
            end = start - dt.timedelta(hours=rng.choice([0, 1]))
        fmt = "%Y-%m-%dT%H:%M:%S"
        inp = {"cron": cron, "zone": zone, "start": start.strftime(fmt), "end": end.strftime(fmt),
               "parallel": rng.random() < 0.3, "retries": rng.choice([0, 0, 2])}
        lines = ["engine: flyte", f'schedule: {{cron: "{cron}"}}']
        if zone:
            lines.append(f'timezone: "{zone}"')
        lines.append(f'window: {{start: "{inp["start"]}", end: "{inp["end"]}"}}')
        if inp["parallel"]:
            lines.append("concurrency: 1000000")
        if inp["retries"]:
            lines.append(f"retries: {inp['retries']}")
        cases.append(Case(id=f"flyte-{i:06d}", engine_input=inp, spec="\n".join(lines) + "\n",
                          # flytekit validates a CronSchedule against the clock: the same "now" for both.
                          planner_args=["--limit", "100000", "--now", NOW]))
    return cases


class Oracle:
    def __init__(self):
        from flytekit import CronSchedule, LaunchPlan
        from flytekit.core.context_manager import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine
        from flytekit.models.literals import Literal
        from flytekit.remote import backfill

        from .flyte_workflow import kickoff_workflow

        self._wf = kickoff_workflow
        self._lp = {}
        self._LaunchPlan = LaunchPlan
        self._CronSchedule = CronSchedule
        self._backfill = backfill
        self._ctx = FlyteContextManager.current_context()
        self._TypeEngine = TypeEngine
        self._Literal = Literal

    def _launch_plan(self, cron: str):
        if cron not in self._lp:
            name = f"lp{len(self._lp)}"
            self._lp[cron] = self._LaunchPlan.get_or_create(
                self._wf, name=name,
                schedule=self._CronSchedule(schedule=cron, kickoff_time_input_arg="kickoff_time"))
        return self._lp[cron]

    def answer(self, inp: dict) -> Outcome | None:
        tz = zones.tzinfo(inp["zone"]) if inp["zone"] else None
        start = dt.datetime.fromisoformat(inp["start"]).replace(tzinfo=tz)
        end = dt.datetime.fromisoformat(inp["end"]).replace(tzinfo=tz)
        # Count first (croniter, as create_backfill_workflow does), so a huge case is skipped.
        try:
            from croniter import croniter
            it = croniter(inp["cron"], start_time=start, ret_type=dt.datetime)
            for _ in range(CAP + 1):
                if it.get_next() >= end:
                    break
            else:
                return None
        except Exception:
            pass
        try:
            lp = self._launch_plan(inp["cron"])
            wf, actual_start, actual_end = self._backfill.create_backfill_workflow(
                start, end, lp, parallel=inp["parallel"],
                per_node_retries=inp["retries"])
        except BaseException as e:  # StopIteration, ValueError, CroniterBadCronError, …
            if isinstance(e, KeyboardInterrupt):
                raise
            return Outcome(ok=False, error=f"{type(e).__name__}: {e}")
        runs = []
        for node in wf.nodes:
            binding = node.bindings[0].binding
            # Through the wire format, as the workflow's execution receives it.
            lit = self._Literal.from_flyte_idl(self._Literal(scalar=binding.scalar).to_flyte_idl())
            received = self._TypeEngine.to_python_value(self._ctx, lit, dt.datetime)
            ups = [u.id for u in node.upstream_nodes]
            runs.append({
                "node": node.metadata.name,
                "id": node.id,
                "kickoff": received.isoformat(),
                "upstream": ups[0] if ups else None,
                "retries": node.metadata.retries.retries,
            })
        return Outcome(ok=True, runs=runs, extra={"actual_start": str(actual_start), "actual_end": str(actual_end)})


def planner_answer(inp: dict, value: dict) -> Outcome:
    if "runs" not in value:
        errs = [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]
        return Outcome(ok=False, error="; ".join(f"{d['code']}: {d['message']}" for d in errs) or str(value)[:300])
    runs = []
    for r in value["runs"]:
        v = r["vars"]
        runs.append({"node": v["node_name"], "id": v["node_id"], "kickoff": v["kickoff_time"],
                     "upstream": v["upstream"], "retries": value["summary"]["retries"]})
    extra = {}
    if runs:
        extra = {"actual_start": runs[0]["node"][2:], "actual_end": runs[-1]["node"][2:]}
    return Outcome(ok=True, runs=runs, extra=extra)
