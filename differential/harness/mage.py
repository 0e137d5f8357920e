"""Mage 0.9.80: the real backfill builders of `mage_ai/orchestration/backfills/service.py`
(`__build_dates`, `__build_variables_list` -- module-level functions, so not name-mangled),
loaded from the wheel with the module's heavy imports stubbed (`sys.modules`), and called on a
stand-in `Backfill` carrying the real `Backfill.IntervalType` enum (its class body read from
`orchestration/db/models/schedules.py`). The request body's datetimes go through
`dateutil.parser.parse`, as `mage_ai/api/operations/base.py::__payload_for_resource` does, and
each run's variables are `merge_dict(backfill.variables, run_vars)` (the real
`mage_ai/shared/hash.py::merge_dict`), as `start_backfill` stores them.

Compared, per run in order: every variable the run gets (execution_date, ds, hr,
interval_start_datetime, interval_end_datetime, interval_seconds,
interval_start_datetime_previous, and the backfill's own variables) against the planner's run
params + vars.

Non-positive `interval_units` are decided from the code, not run: `while current <= end:
current += step` never ends with a zero step, and with a negative one it ends only when the
date leaves datetime's range (OverflowError / ValueError) -- run for real when that happens
within a bounded number of steps, else recorded as a hang.
"""

from __future__ import annotations

import ast
import os
import datetime as dt
import json
import random
import sys
import types
import zipfile

from .common import Allowance, Case, Outcome

WHEEL = os.environ.get("MAGE_WHEEL", os.path.join(os.path.dirname(__file__), "..", ".cache", "mage_ai-0.9.80-py3-none-any.whl"))
CAP = 3000
NEG_STEPS_RUN = 300_000  # a negative step this many steps from datetime's edge is run for real

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "custom": 1}


def _load():
    """service.py from the wheel, its imports stubbed; the real IntervalType and merge_dict."""
    zf = zipfile.ZipFile(WHEEL)
    sched_src = zf.read("mage_ai/orchestration/db/models/schedules.py").decode()
    tree = ast.parse(sched_src)
    backfill_cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Backfill")
    interval = next(n for n in backfill_cls.body if isinstance(n, ast.ClassDef) and n.name == "IntervalType")
    ns = {}
    from enum import StrEnum

    exec(compile(ast.Module(body=[interval], type_ignores=[]), "schedules.py:IntervalType", "exec"),
         {"StrEnum": StrEnum}, ns)
    IntervalType = ns["IntervalType"]

    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        return m

    saved = {k: sys.modules.get(k) for k in [
        "mage_ai", "mage_ai.shared", "mage_ai.shared.strings", "mage_ai.shared.hash",
        "mage_ai.data_preparation", "mage_ai.data_preparation.models",
        "mage_ai.data_preparation.models.triggers", "mage_ai.orchestration", "mage_ai.orchestration.db",
        "mage_ai.orchestration.db.models", "mage_ai.orchestration.db.models.schedules"]}
    try:
        for k in saved:
            sys.modules[k] = module(k)
        sys.modules["mage_ai.shared.strings"].camel_to_snake_case = lambda s: s
        hash_mod = module("mage_ai.shared.hash")
        exec(compile(zf.read("mage_ai/shared/hash.py").decode(), "mage_ai/shared/hash.py", "exec"), hash_mod.__dict__)
        sys.modules["mage_ai.shared.hash"] = hash_mod

        class ScheduleInterval(StrEnum):
            ONCE = "@once"

        class ScheduleStatus(StrEnum):
            ACTIVE = "active"
            INACTIVE = "inactive"

        sys.modules["mage_ai.data_preparation.models.triggers"].__dict__.update(
            ScheduleInterval=ScheduleInterval, ScheduleStatus=ScheduleStatus)

        class Backfill:  # the stand-in: only what the builders read
            pass

        Backfill.IntervalType = IntervalType
        sys.modules["mage_ai.orchestration.db.models.schedules"].__dict__.update(
            Backfill=Backfill, PipelineRun=object, PipelineSchedule=object)
        service = module("mage_ai.orchestration.backfills.service")
        service.__file__ = WHEEL + "/mage_ai/orchestration/backfills/service.py"
        exec(compile(zf.read("mage_ai/orchestration/backfills/service.py").decode(),
                     "mage_ai/orchestration/backfills/service.py", "exec"), service.__dict__)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return service, IntervalType, hash_mod.merge_dict


def _moment(rng: random.Random) -> dt.datetime:
    r = rng.random()
    year = rng.randint(1990, 2035)
    if r < 0.25:
        m = rng.randint(1, 12)
        d = dt.date(year, m, 1) + dt.timedelta(days=27 + rng.randint(0, 4))
        if d.month != m:
            d = dt.date(year, m, 28)
        base = dt.datetime(d.year, d.month, d.day)
    elif r < 0.35:
        base = dt.datetime(rng.choice([2020, 2024, 2000, 2028]), 2, 29)
    else:
        base = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28))
    r = rng.random()
    if r < 0.5:
        return base
    if r < 0.85:
        return base.replace(hour=rng.randint(0, 23))
    return base.replace(hour=rng.randint(0, 23), minute=rng.randint(0, 59), second=rng.choice([0, 0, rng.randint(0, 59)]))


def _text(rng: random.Random, d: dt.datetime, off: str | None) -> str:
    r = rng.random()
    if r < 0.45:
        t = d.strftime("%Y-%m-%dT%H:%M:%S")
    elif r < 0.8:
        t = d.strftime("%Y-%m-%d %H:%M:%S")
    elif r < 0.9 and d.second == 0:
        t = d.strftime("%Y-%m-%d %H:%M")
    elif d.hour == d.minute == d.second == 0 and off is None:
        t = d.strftime("%Y-%m-%d")
    else:
        t = d.strftime("%Y-%m-%dT%H:%M:%S")
    if off:
        if off == "Z" and rng.random() < 0.2 and "T" in t:
            return t + ".000Z"
        t += off
    return t


def _span(rng: random.Random, itype: str, units: int) -> dt.timedelta:
    steps = rng.randint(0, 30) if rng.random() < 0.85 else rng.randint(30, 400)
    u = max(1, abs(units))
    if itype == "month":
        return dt.timedelta(days=int(30.4 * u * steps) + rng.randint(-3, 3))
    if itype == "year":
        return dt.timedelta(days=int(365.25 * u * min(steps, 40)) + rng.randint(-3, 3))
    secs = UNITS[itype] * u * steps
    if rng.random() < 0.4:
        secs += rng.randint(-UNITS[itype] * u + 1, 0)  # end between two dates
    return dt.timedelta(seconds=max(0, secs))


def generate(rng: random.Random, n: int) -> list:
    cases = []
    for i in range(n):
        itype = rng.choice(["second", "minute", "hour", "hour", "day", "day", "day", "week", "month", "month",
                            "year", "custom"])
        r = rng.random()
        if r < 0.85:
            units = rng.choice([1, 1, 1, 2, 3, 4, 6, 7, 12, 15, 30]) if itype not in ("second", "custom") \
                else rng.choice([1, 30, 60, 90, 3600, 7200, 86400, 5400, 45])
        elif r < 0.92:
            units = 0
        else:
            units = rng.choice([-1, -2, -7])
        start = _moment(rng)
        end = start + _span(rng, itype, units)
        r = rng.random()
        if r < 0.05:
            end = start
        elif r < 0.09:
            end = start - dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5))
        r = rng.random()
        off_s = None if r < 0.55 else rng.choice(["+00:00", "Z", "Z", "+02:00", "-05:00", "+05:30"])
        off_e = off_s
        if off_s and rng.random() < 0.15:
            off_e = rng.choice(["+00:00", "Z", "+01:00"])
        if rng.random() < 0.02:
            off_e = None if off_s else "Z"  # naive against aware
        body = {"name": f"bf{i}", "start_datetime": _text(rng, start, off_s), "end_datetime": _text(rng, end, off_e),
                "interval_type": itype, "interval_units": units}
        if rng.random() < 0.35:
            body["variables"] = rng.choice([{"env": "prod"}, {"ds": "mine", "k": 1}, {"execution_date": "x"},
                                            {"a": [1, 2], "hr": "99"}])
        if rng.random() < 0.03:
            body["block_uuid"] = "custom_block"
        inp = {"body": body}
        spec_mode = rng.random() < 0.3 and itype != "custom" and "block_uuid" not in body
        if spec_mode:
            lines = ["engine: mage", f"schedule: {{every: {{unit: {itype}, count: {units}}}}}",
                     f"window: {{start: {json.dumps(body['start_datetime'])}, end: {json.dumps(body['end_datetime'])}}}"]
            if "variables" in body:
                lines.append(f"params: {json.dumps(body['variables'])}")
            spec = "\n".join(lines) + "\n"
        else:
            spec = json.dumps({"backfill": body}, indent=rng.choice([None, 2])) + "\n"
        cases.append(Case(id=f"mage-{i:06d}", engine_input=inp, spec=spec, planner_args=["--limit", "100000"]))
    return cases


def _steps_to_edge(start: dt.datetime, itype: str, units: int) -> float:
    """How many steps of a negative interval until the date leaves datetime's range."""
    back = start.replace(tzinfo=None) - dt.datetime(1, 1, 1)
    if itype == "month":
        return back.days / (30.4 * -units)
    if itype == "year":
        return back.days / (365.25 * -units)
    return back.total_seconds() / (UNITS[itype] * -units)


class Oracle:
    def __init__(self):
        import dateutil.parser

        self.service, self.IntervalType, self.merge_dict = _load()
        self.build_dates = getattr(self.service, "__build_dates")
        self.build_vars = getattr(self.service, "__build_variables_list")
        self.parse = dateutil.parser.parse

    def answer(self, inp: dict) -> Outcome | None:
        body = inp["body"]
        try:
            bf = types.SimpleNamespace(
                block_uuid=body.get("block_uuid"),
                start_datetime=self.parse(body["start_datetime"]),
                end_datetime=self.parse(body["end_datetime"]),
                interval_type=self.IntervalType(body["interval_type"]),
                interval_units=body["interval_units"],
                variables=body.get("variables"),
            )
        except Exception as e:
            return Outcome(ok=False, error=f"{type(e).__name__}: {e}")
        units = bf.interval_units
        try:
            loops = not bf.block_uuid and bf.start_datetime <= bf.end_datetime
        except TypeError as e:  # naive against aware: the loop's first comparison raises
            return Outcome(ok=False, error=f"TypeError: {e}")
        if loops and units == 0:
            # `while current <= end: current += 0` -- never ends (service.py::__build_dates).
            return Outcome(ok=True, extra={"hangs": "interval_units 0: the while loop never ends"})
        if loops and units < 0 and _steps_to_edge(bf.start_datetime, body["interval_type"], units) > NEG_STEPS_RUN:
            return Outcome(ok=True, extra={"hangs": "negative interval_units: the loop runs until the date leaves "
                                                    "datetime's range (billions of steps)"})
        if loops and units > 0:
            # Count first with the same arithmetic, so a huge case is skipped before building it.
            if body["interval_type"] not in ("month", "year"):
                step = dt.timedelta(seconds=UNITS[body["interval_type"]] * units)
                if (bf.end_datetime - bf.start_datetime) / step > CAP:
                    return None
            elif (bf.end_datetime - bf.start_datetime).days / (28 * units * (12 if body["interval_type"] == "year" else 1)) > CAP:
                return None
        try:
            run_vars = self.build_vars(bf)
        except Exception as e:
            return Outcome(ok=False, error=f"{type(e).__name__}: {e}")
        runs = [self.merge_dict(bf.variables or {}, v) for v in run_vars]
        return Outcome(ok=True, runs=runs)


def planner_answer(inp: dict, value: dict) -> Outcome:
    if "runs" not in value:
        errs = [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]
        return Outcome(ok=False, error="; ".join(f"{d['code']}: {d['message']}" for d in errs) or str(value)[:300])
    runs = [{**(r.get("params") or {}), **(r.get("vars") or {})} for r in value["runs"]]
    return Outcome(ok=True, runs=runs)


def allowance(inp: dict, engine: Outcome, planner: Outcome):
    """Mage never finishes building the runs (0 units; or negative units, which step away from
    the end until datetime overflows); the planner refuses the body with E0412 instead."""
    if engine.ok and "hangs" in engine.extra and not planner.ok and "E0412" in planner.error:
        return Allowance("mage-nonpositive-units-hang",
                         "service.py::__build_dates loops `while current <= end` adding interval_units; with 0 "
                         "(or a negative step from a start far from year 1) it never returns -- the planner "
                         "refuses with E0412")
    return None
