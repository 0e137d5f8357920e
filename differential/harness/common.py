"""What every engine's comparison shares: the planner runner, the case loop and the report."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


@dataclass
class Case:
    """One generated input: the engine-native arguments and the planner spec saying the same."""

    id: str
    engine_input: dict
    spec: str
    planner_args: list = field(default_factory=list)


@dataclass
class Outcome:
    """An answer in one comparable shape: an error class, or the runs as plain values."""

    ok: bool
    runs: list = field(default_factory=list)
    error: str = ""
    # Extra facts compared when both are ok (batches, actual start/end, …).
    extra: dict = field(default_factory=dict)

    def key(self):
        if not self.ok:
            return ("error",)
        return ("ok", json.dumps(self.runs, sort_keys=True), json.dumps(self.extra, sort_keys=True))


def run_planner(binary: str, case: Case) -> dict:
    """`backfill plan --format json -` on the case's spec: the plan JSON, or its diagnostics."""
    args = [binary, "plan", "--format", "json", *case.planner_args, "-"]
    proc = subprocess.run(args, input=case.spec.encode(), capture_output=True, timeout=60)
    out = proc.stdout.decode()
    try:
        value = json.loads(out)
    except json.JSONDecodeError:
        return {"crash": f"exit {proc.returncode}: {proc.stderr.decode()[-500:]}"}
    return value


def planner_errors(value: dict) -> list:
    return [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]


def plan_many(binary: str, cases: list, jobs: int) -> list:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda c: run_planner(binary, c), cases))


@dataclass
class Allowance:
    """A named, documented place where the planner deliberately differs from the engine."""

    name: str
    reason: str


def describe(o: Outcome, limit: int = 4) -> str:
    if not o.ok:
        return f"error: {o.error}"
    runs = o.runs
    shown = runs if len(runs) <= limit else runs[: limit // 2] + ["…"] + runs[-limit // 2 :]
    extra = f" extra={json.dumps(o.extra, sort_keys=True)}" if o.extra else ""
    return f"{len(runs)} runs {json.dumps(shown)}{extra}"


def first_difference(a: Outcome, b: Outcome) -> str:
    if a.ok != b.ok:
        return "one is an error"
    for i, (x, y) in enumerate(zip(a.runs, b.runs)):
        if x != y:
            return f"run {i}: engine {json.dumps(x)} / planner {json.dumps(y)}"
    if len(a.runs) != len(b.runs):
        return f"run counts {len(a.runs)} / {len(b.runs)}"
    return f"extra: engine {json.dumps(a.extra, sort_keys=True)} / planner {json.dumps(b.extra, sort_keys=True)}"


def env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default
