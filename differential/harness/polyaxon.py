"""Polyaxon: a real operation YAML read with `V1Operation.read`, compiled with
`OperationSpecification.compile_operation_with_params` (+ `apply_params`), its grid expanded by
hypertune's `GridSearchManager(...).get_suggestions()` (mapping: `MappingManager`), the child
operations built by `polyaxon/_polyaxonfile/manager/workflows.py::get_ops_from_suggestions` -- the
path haupt's scheduler (`_create_grid_matrix`) takes -- and, for a sample of children, each
child compiled (`compile_operation_with_params`, `apply_params`, `apply_operation_contexts`,
`apply_runtime_contexts`) to read the rendered `{{ dt }}` container command/args.

The planner reads the same operation YAML (its Polyaxon dialect) or, for some cases, the
equivalent planner spec (engine: polyaxon, every, window, params, grid, concurrency).

Compared, in order: each child's params (the operation's static params overlaid with the
suggestion, as the child receives them), the rendered command/args for the sampled children
(or that rendering fails), the run count after `numRuns`, and the matrix concurrency.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import warnings

from .common import Allowance, Case, Outcome

CAP = 3000


def _render_indices(n: int) -> list:
    return sorted({i for i in (0, 1, n // 2, n - 1) if 0 <= i < n})


def _fmt_dt(rng: random.Random, d: dt.datetime, aware: str | None) -> str:
    """A datetime as a user writes it in the YAML: several shapes, maybe with an offset."""
    shape = rng.random()
    if aware is None and d.hour == d.minute == d.second == 0 and shape < 0.15:
        return d.strftime("%Y-%m-%d")
    if shape < 0.5:
        text = d.strftime("%Y-%m-%d %H:%M") if d.second == 0 else d.strftime("%Y-%m-%d %H:%M:%S")
    else:
        text = d.strftime("%Y-%m-%dT%H:%M:%S")
    if aware:
        text = text.replace(" ", "T") + aware
    return text


def _step_text(rng: random.Random, secs: int):
    """A timedelta step in one of the forms pydantic accepts: seconds, ISO 8601, HH:MM:SS."""
    r = rng.random()
    if secs < 0:
        return secs if r < 0.7 else f"-PT{-secs}S"
    if r < 0.45:
        return secs
    if r < 0.75:
        if secs == 0:
            return "PT0S"
        d, rem = divmod(secs, 86400)
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        text = "P" + (f"{d}D" if d else "")
        t = (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")
        return text + ("T" + t if t else "")
    if secs < 86400 * 4:
        h, rem = divmod(secs, 3600)
        return f"{h:02d}:{rem // 60:02d}:{rem % 60:02d}"
    return secs


def _daterange(rng: random.Random, dict_form: bool):
    start = dt.date(rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.15:
        start = dt.date(rng.choice([2020, 2024, 2000, 2028]), 2, rng.choice([28, 29]))
    r = rng.random()
    step = rng.choice([1, 1, 1, 2, 3, 5, 7, 10, 30]) if r < 0.9 else rng.choice([0, -1, -2])
    n = rng.randint(1, 60) if rng.random() < 0.9 else rng.randint(60, 400)
    span = n * max(1, abs(step)) + (rng.randint(-max(1, abs(step)) + 1, 0) if rng.random() < 0.4 else 0)
    stop = start + dt.timedelta(days=max(span, 1))
    r = rng.random()
    if r < 0.04:
        stop = start
    elif r < 0.07:
        stop = start - dt.timedelta(days=rng.randint(1, 5))
    s_text = start.isoformat() if rng.random() < 0.85 else start.isoformat() + " 00:00"
    value = [s_text, stop.isoformat(), step]
    if dict_form:
        value = {"start": value[0], "stop": value[1], "step": value[2]}
    return {"kind": "daterange", "value": value}, {"kind": "date", "start": start, "stop": stop, "step": step,
                                                    "naive": True, "s_text": s_text}


def _datetimerange(rng: random.Random, dict_form: bool):
    start = dt.datetime(rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28),
                        rng.randint(0, 23), rng.choice([0, 0, 0, 15, 30, 45]))
    if rng.random() < 0.35:
        start = start.replace(hour=0, minute=0)
    r = rng.random()
    if r < 0.88:
        step = rng.choice([3600, 3600, 1800, 900, 7200, 86400, 86400 * 2, 7000, 600, 60, 3600 * 6, 5400, 86400 * 7])
    else:
        step = rng.choice([0, -3600, -60])
    n = rng.randint(1, 48) if rng.random() < 0.9 else rng.randint(48, 300)
    span = n * max(1, abs(step))
    if rng.random() < 0.35:
        span += rng.randint(-max(1, abs(step)) + 1, 0)  # the step does not divide the span
    stop = start + dt.timedelta(seconds=max(span, 1))
    r = rng.random()
    if r < 0.04:
        stop = start
    elif r < 0.06:
        stop = start - dt.timedelta(hours=1)
    aware = None
    r = rng.random()
    if r < 0.15:
        aware = rng.choice(["Z", "+02:00", "-05:30", "+00:00", "+14:00"])
    s_off = aware
    e_off = aware
    if aware and rng.random() < 0.2:
        e_off = rng.choice(["Z", "+01:00"])  # start and stop in different offsets
    s_text = _fmt_dt(rng, start, s_off)
    e_text = _fmt_dt(rng, stop, e_off)
    step_v = _step_text(rng, step)
    value = [s_text, e_text, step_v]
    if dict_form:
        value = {"start": value[0], "stop": value[1], "step": value[2]}
    return {"kind": "datetimerange", "value": value}, {"kind": "datetime", "start": start, "stop": stop, "step": step,
                                                        "naive": aware is None, "s_off": s_off, "e_off": e_off,
                                                        "s_text": s_text, "e_text": e_text, "step_v": step_v}


CHOICES = [["eu", "us"], ["a", "b", "c"], [0.1, 0.01], [1, 2, 3], ["x"], [True, False], [16, 32, 64, 128]]


def _yaml(v) -> str:
    return json.dumps(v)


def generate(rng: random.Random, n: int) -> list:
    cases = []
    for i in range(n):
        mapping = rng.random() < 0.08
        spec_mode = not mapping and rng.random() < 0.3
        params = {}  # name -> (hp dict, meta)
        order = []
        n_dates = 1 if (spec_mode or rng.random() < 0.8) else 2
        date_names = ["dt", "d2"][:n_dates]
        for name in date_names:
            dict_form = rng.random() < 0.4
            params[name] = _daterange(rng, dict_form) if rng.random() < 0.45 else _datetimerange(rng, dict_form)
        choice_names = [f"c{k}" for k in range(rng.choice([0, 0, 1, 1, 2]))]
        for name in choice_names:
            params[name] = ({"kind": "choice", "value": rng.choice(CHOICES)}, {"kind": "choice"})
        order = list(params)
        if not spec_mode and rng.random() < 0.3:
            rng.shuffle(order)  # declaration order decides the nesting (last fastest)
        statics = {}
        for k in range(rng.choice([0, 0, 1, 2])):
            statics[f"s{k}"] = rng.choice(["test", 10, 0.5, "prod"])
        num_runs = rng.choice([None] * 6 + [1, 3, 5, 20]) if not spec_mode else None
        concurrency = rng.choice([None, None, 1, 2, 3, 5]) if not (spec_mode and rng.random() < 0.1) else 0
        if rng.random() < 0.02:
            concurrency = 0
        render_kind = rng.choice(["args", "command", "both"])
        tmpl = ["--dt={{ dt }}"] + (["{{ params.dt.as_arg }}"] if rng.random() < 0.3 else []) + \
               [f"--{c}={{{{ {c} }}}}" for c in choice_names] + \
               (["--d2={{ d2 }}"] if "d2" in params else [])
        inputs = []
        for name in order:
            meta = params[name][1]
            t = {"date": "date", "datetime": "datetime"}.get(meta["kind"])
            if t is None:
                vals = params[name][0]["value"]
                t = "str" if isinstance(vals[0], str) else "bool" if isinstance(vals[0], bool) else \
                    "int" if isinstance(vals[0], int) else "float"
            inputs.append({"name": name, "type": t})
        for k, v in statics.items():
            inputs.append({"name": k, "type": "str" if isinstance(v, str) else "int" if isinstance(v, int) else "float"})
        lines = ["version: 1.1", "kind: operation"]
        if statics:
            lines.append("params:")
            for k, v in statics.items():
                lines.append(f"  {k}: {{value: {_yaml(v)}}}")
        lines.append("matrix:")
        if mapping:
            lines.append("  kind: mapping")
            if concurrency is not None:
                lines.append(f"  concurrency: {concurrency}")
            base = dt.date(rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28))
            lines.append("  values:")
            vals = []
            for k in range(rng.randint(1, 6)):
                row = {"dt": (base + dt.timedelta(days=rng.randint(-5, 20))).isoformat()}
                for c in choice_names:
                    row[c] = rng.choice(params[c][0]["value"])
                vals.append(row)
                lines.append(f"    - {_yaml(row)}")
            for name in list(params):
                if name != "dt" and name not in choice_names:
                    del params[name]
            order = [o for o in order if o in params]
            inputs = [x for x in inputs if x["name"] in params or x["name"] in statics]
            inputs = [dict(x, type="date") if x["name"] == "dt" else x for x in inputs]
            tmpl = [t for t in tmpl if "d2" not in t]
        else:
            lines.append("  kind: grid")
            if concurrency is not None:
                lines.append(f"  concurrency: {concurrency}")
            if num_runs:
                lines.append(f"  numRuns: {num_runs}")
            lines.append("  params:")
            for name in order:
                lines.append(f"    {name}: {_yaml(params[name][0])}")
        run = {"kind": "job", "container": {"image": "foo"}}
        if render_kind in ("command", "both"):
            run["container"]["command"] = ["python", "main.py"] + (tmpl if render_kind == "command" else [])
        if render_kind in ("args", "both"):
            run["container"]["args"] = tmpl
        lines.append("component:")
        lines.append(f"  inputs: {_yaml(inputs)}")
        lines.append(f"  run: {_yaml(run)}")
        op_yaml = "\n".join(lines) + "\n"
        inp = {"yaml": op_yaml, "spec_mode": spec_mode, "has_concurrency": concurrency is not None}
        spec = op_yaml
        if spec_mode:
            spec = _spec(rng, params, choice_names, statics, concurrency)
            if spec is None:
                inp["spec_mode"] = False
                spec = op_yaml
        cases.append(Case(id=f"polyaxon-{i:06d}", engine_input=inp, spec=spec, planner_args=["--limit", "100000"]))
    return cases


def _spec(rng, params, choice_names, statics, concurrency) -> str | None:
    """The planner spec saying the same as a one-date-axis grid (date first, choices after)."""
    meta = params["dt"][1]
    if meta["kind"] == "date":
        step = meta["step"]
        every = {"unit": "day", "count": step}
        if step > 0 and step % 7 == 0 and rng.random() < 0.5:
            every = {"unit": "week", "count": step // 7}
        start, end = meta["s_text"][:10], meta["stop"].isoformat()
    else:
        if isinstance(meta["step_v"], float):
            return None
        secs = meta["step"]
        every = {"unit": "second", "count": secs}
        if secs and secs % 3600 == 0 and rng.random() < 0.4:
            every = {"unit": "hour", "count": secs // 3600}
        elif secs and secs % 60 == 0 and rng.random() < 0.4:
            every = {"unit": "minute", "count": secs // 60}
        if secs > 0 and secs % 86400 == 0 and meta["start"].time() == dt.time() and meta["stop"].time() == dt.time():
            return None  # the planner would make it a daterange (dates, not datetimes)
        start, end = meta["s_text"], meta["e_text"]
    lines = ["engine: polyaxon", f"schedule: {{every: {json.dumps(every)}}}",
             f"window: {{start: {json.dumps(start)}, end: {json.dumps(end)}}}"]
    if statics:
        lines.append(f"params: {json.dumps(statics)}")
    if choice_names:
        lines.append("grid: {" + ", ".join(f"{c}: {json.dumps(params[c][0]['value'])}" for c in choice_names) + "}")
    if concurrency is not None:
        lines.append(f"concurrency: {concurrency}")
    return "\n".join(lines) + "\n"


def _count(op) -> int:
    """The grid's size from the parsed ranges, without building it (numpy arange lengths)."""
    from polyaxon.schemas import V1HpChoice, V1HpDateRange, V1HpDateTimeRange

    total = 1
    for p in op.matrix.params.values():
        if isinstance(p, V1HpChoice):
            total *= len(p.value)
        elif isinstance(p, (V1HpDateRange, V1HpDateTimeRange)):
            v = p.value
            span = v.stop - v.start
            step = dt.timedelta(days=v.step) if isinstance(p, V1HpDateRange) else v.step
            total *= max(0, math.ceil(span / step)) if step else 1
        else:
            total *= 100
    return total


class Oracle:
    def __init__(self):
        warnings.simplefilter("ignore")
        from hypertune.search_managers.grid_search.manager import GridSearchManager
        from hypertune.search_managers.mapping.manager import MappingManager
        from polyaxon._flow.operations.operation import V1Operation
        from polyaxon._polyaxonfile.manager.workflows import get_ops_from_suggestions
        from polyaxon._polyaxonfile.specs.compiled_operation import CompiledOperationSpecification
        from polyaxon._polyaxonfile.specs.operation import OperationSpecification

        self.V1Operation = V1Operation
        self.OpSpec = OperationSpecification
        self.CSpec = CompiledOperationSpecification
        self.get_ops = get_ops_from_suggestions
        self.Grid = GridSearchManager
        self.Mapping = MappingManager

    def _compile(self, op):
        c, eff = self.OpSpec.compile_operation_with_params(op)
        c.apply_params(params={k: v.to_dict() for k, v in (eff or {}).items()})
        return c, eff

    def _render(self, child) -> dict:
        try:
            c, _ = self._compile(child)
            c = self.CSpec.apply_operation_contexts(c)
            c = self.CSpec.apply_runtime_contexts(c)
        except Exception:
            return {"render_error": True}
        out = {}
        if c.run.container.command is not None:
            out["command"] = list(c.run.container.command)
        if c.run.container.args is not None:
            out["args"] = list(c.run.container.args)
        return out

    def answer(self, inp: dict) -> Outcome | None:
        src = inp["yaml"]
        try:
            op = self.V1Operation.read(src)
            if op.matrix.kind == "grid" and _count(op) > CAP:
                return None
            compiled, eff = self._compile(op)
            manager = self.Grid if compiled.matrix.kind == "grid" else self.Mapping
            suggestions = manager(compiled.matrix).get_suggestions()
            children = list(self.get_ops(content=src, compiled_operation=compiled, suggestions=suggestions))
        except Exception as e:
            return Outcome(ok=False, error=f"{type(e).__name__}: {str(e)[:300]}")
        statics = {k: v.value for k, v in (eff or {}).items()}
        runs = []
        sample = _render_indices(len(children))
        for i, child in enumerate(children):
            p = dict(statics)
            p.update({k: v.value for k, v in child.params.items()})
            run = {"params": p}
            if i in sample and not inp["spec_mode"]:
                run["render"] = self._render(child)
            runs.append(run)
        extra = {"count": len(runs)}
        if inp["has_concurrency"]:
            extra["concurrency"] = compiled.matrix.concurrency
        return Outcome(ok=True, runs=runs, extra=extra)


def planner_answer(inp: dict, value: dict) -> Outcome:
    if "runs" not in value:
        errs = [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]
        return Outcome(ok=False, error="; ".join(f"{d['code']}: {d['message']}" for d in errs) or str(value)[:300])
    runs = []
    sample = _render_indices(len(value["runs"]))
    for i, r in enumerate(value["runs"]):
        run = {"params": r.get("params", {})}
        if i in sample and not inp["spec_mode"]:
            v = r.get("vars", {})
            run["render"] = {"render_error": True} if "render_error" in v else \
                {k: v[k] for k in ("command", "args") if k in v}
        runs.append(run)
    extra = {"count": len(runs)}
    if inp["has_concurrency"]:
        extra["concurrency"] = value["summary"].get("concurrency")
    return Outcome(ok=True, runs=runs, extra=extra)
