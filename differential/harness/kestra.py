"""Kestra: the Schedule trigger's backfill loop over cron-utils 9.2.1.

Kestra's server cannot run here (it ships outside the registries this project reaches), and
CI cannot reach GitHub, so the oracle is `differential/kestra/KestraOracle.java`: Kestra's
backfill arithmetic (`Schedule.java`, `Backfill.java`, `AbstractScheduler`) step by step over
the real cron-utils 9.2.1, compiled from its source. Its answers are committed as data
(`differential/kestra/answers.jsonl`, one case and its answer a line, the generator command
and versions in the header); `differential/kestra/generate` makes them anew. Here `generate`
makes the cases, `load` reads the committed answers.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random

from . import crons, zones
from .common import Case, Outcome

HERE = os.path.join(os.path.dirname(__file__), "..", "kestra")
ANSWERS = os.environ.get("KESTRA_ANSWERS", os.path.join(HERE, "answers.jsonl"))


def _cron(rng: random.Random):
    r = rng.random()
    if r < 0.06:
        return rng.choice(crons.NICKNAMES), False
    f = crons.five_fields(rng, special=False, wrap=True, dow_max=7)
    if r < 0.18:
        return " ".join([rng.choice(["0", "*/20", "30", "15,45", str(rng.randint(0, 59))])] + f), True
    return " ".join(f), False


def _iso(t: dt.datetime) -> str:
    # A local-mean-time offset has seconds (`+00:19:32`), which no client writes: send UTC.
    if t.utcoffset() and t.utcoffset().total_seconds() % 60:
        t = t.astimezone(dt.timezone.utc)
    s = t.replace(microsecond=0).isoformat()
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def _plain_case(rng: random.Random, i: int) -> dict:
    """A random case: any cron, any zone, any year (the generator before issue 10's DST cases)."""
    cron, with_seconds = _cron(rng)
    r = rng.random()
    zone = None if r < 0.15 else rng.choice(zones.FIXED) if r < 0.25 else rng.choice(zones.IANA)
    name = zone or "UTC"
    year = zones.interesting_year(rng, name)
    start = zones.near_transition(rng, name, year) if zone and rng.random() < 0.6 else None
    if start is None:
        start = dt.datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
    if rng.random() < 0.5:
        start = start.replace(minute=rng.choice([0, 0, 30]), second=0)
    fine = cron.split()[1 if with_seconds else 0].startswith("*") and not cron.startswith("@")
    hours = rng.choice([1, 3, 6, 24, 50] if fine else [1, 6, 24, 50, 24 * 7, 24 * 40, 24 * 400])
    tz = zones.tzinfo(name)
    # The PUT /api/v1/triggers body carries offset date-times: the wall time in the
    # trigger's zone (its first reading in a fold), written with its offset, or in UTC.
    start_aware = start.replace(tzinfo=tz)
    end_aware = start_aware + dt.timedelta(hours=hours)
    if rng.random() < 0.3:
        start_aware = start_aware.astimezone(dt.timezone.utc)
    end = _iso(end_aware.astimezone(tz) if rng.random() < 0.7 else end_aware.astimezone(dt.timezone.utc))
    if rng.random() < 0.04:
        end = _iso(start_aware - dt.timedelta(hours=rng.choice([1, 30])))
    now = end_aware + dt.timedelta(minutes=rng.choice([0, 7]))
    if rng.random() < 0.1:
        end = None
    return {"id": f"k-{i:06d}", "cron": cron, "with_seconds": with_seconds, "timezone": zone,
            "start": _iso(start_aware), "end": end, "now": _iso(now.astimezone(dt.timezone.utc))}


# Zones with odd transitions, and the years in which they have them: 30- and 45-minute shifts
# (Lord_Howe, Chatham, Caracas, Kathmandu), shifts at 00:01 (St_Johns 1987-2011), at midnight or
# 24:00 (Sao_Paulo, Havana, Santiago, Asuncion, Beirut, Tehran, Cairo), skipped days (Apia
# 2011-12-30, Kiritimati 1994-12-31), a 2-hour shift (Troll), negative DST (Dublin), local mean
# time with seconds (Amsterdam = Brussels rules: +00:17:30 until 1892). Tehran stays after 1979
# (tzdb 2025b, the planner's, changed Iran before that; the JVM has 2025a).
DST_ZONES = [
    ("America/New_York", 1970, 2037), ("Europe/London", 1970, 2037), ("Europe/Berlin", 1980, 2037),
    ("Australia/Lord_Howe", 1981, 2037), ("Pacific/Chatham", 1974, 2037), ("America/St_Johns", 1951, 2011),
    ("America/Sao_Paulo", 1985, 2019), ("Pacific/Apia", 2010, 2021), ("Africa/Casablanca", 2008, 2037),
    ("Europe/Amsterdam", 1880, 1945), ("America/Havana", 1970, 2037), ("America/Santiago", 1970, 2037),
    ("Asia/Tehran", 1980, 2022), ("Antarctica/Troll", 2005, 2037), ("Europe/Dublin", 1970, 2037),
    ("Asia/Beirut", 1970, 2037), ("Pacific/Kiritimati", 1994, 1994), ("America/Caracas", 2007, 2016),
    ("Asia/Kathmandu", 1985, 1985), ("Australia/Sydney", 1971, 2037), ("America/Asuncion", 1975, 2024),
    ("Africa/Cairo", 1957, 2037),
]


@functools.lru_cache(maxsize=None)
def _transitions(name: str, year: int) -> tuple:
    """(instant, offset before, offset after) of each offset change of `year` (whole seconds, UTC)."""
    tz = zones.tzinfo(name)
    off = lambda ts: int(dt.datetime.fromtimestamp(ts, tz).utcoffset().total_seconds())
    t = int(dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    stop = int(dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    out, prev = [], off(t)
    while t < stop:
        n = t + 3 * 3600
        o = off(n)
        if o != prev:
            lo, hi = t, n  # off(lo) == prev != off(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if off(mid) == prev else (lo, mid)
            out.append((hi, prev, o))
            prev = o
        t = n
    return tuple(out)


def _dst_cron(rng: random.Random, walls: list):
    """A cron that fires in or next to the wall-clock stretch a transition skips or repeats."""
    w = rng.choice(walls)
    h, m = w.hour, w.minute
    mm = rng.choice([m, m, 0, 30, 15, 45, rng.randint(0, 59)])
    h2 = min(23, h + rng.randint(1, 3))
    r = rng.random()
    if r < 0.17:
        return f"{mm} {h} * * *", False
    if r < 0.22:
        return rng.choice([f"{mm} {h} {w.day} * *", f"{mm} {h} * * {(w.isoweekday() % 7)}", f"{mm} {h} {w.day} {w.month} *"]), False
    if r < 0.34:
        return f"{mm} * * * *", False
    if r < 0.44:
        k = rng.choice([2, 2, 3, 4])
        return rng.choice([f"{mm} */{k} * * *", f"{mm} {h % k}/{k} * * *", f"{mm} {(h + 1) % k}/{k} * * *"]), False
    if r < 0.53:
        return rng.choice([f"{mm} {h}-{h2} * * *", f"{mm} {h},{h2} * * *", f"{mm} {max(0, h - 1)},{h} * * *",
                           f"{mm},{(mm + rng.randint(1, 58)) % 60} {h} * * *"]), False
    if r < 0.63:
        n = rng.choice([5, 10, 15, 20, 30])
        return rng.choice([f"*/{n} {h} * * *", f"*/{n} * * * *", f"*/{n} {h}-{h2} * * *",
                           f"{m % n}/{n} {max(0, h - 1)}-{h} * * *", f"* {h} * * *"]), False
    if r < 0.77:
        s = rng.choice([0, 0, 30, rng.randint(0, 59)])
        k = rng.choice([10, 15, 20, 30])
        return rng.choice([f"{s} {mm} {h} * * *", f"{s} {mm} * * * *", f"0 */{rng.choice([10, 15, 30])} * * * *",
                           f"*/{k} {mm} {h} * * *", f"{s} */{rng.choice([5, 15, 30])} {h} * * *",
                           f"{s} {mm} */2 * * *", f"{s} * {h} * * *"]), True
    if r < 0.88:
        return rng.choice(["0 0 * * *", "@daily", "@midnight", "@hourly", "0 0 * * * *", f"0 {h} * * *",
                           "30 0 * * *", "59 23 * * *", "0 0 * * 0", "1 0 * * *"]), rng.random() < 0.1
    return _cron(rng)


def _dst_case(rng: random.Random, i: int) -> dict:
    """A window over a fold or gap of an odd zone, with a cron that fires in or next to it."""
    for _ in range(20):
        name, y0, y1 = rng.choice(DST_ZONES)
        year = 2011 if name == "Pacific/Apia" and rng.random() < 0.4 else rng.randint(y0, y1)
        ts = _transitions(name, year)
        if ts:
            break
    at, before, after = rng.choice(ts)
    tz = zones.tzinfo(name)
    utc = lambda s: dt.datetime.fromtimestamp(s, dt.timezone.utc)
    # The wall times the change skips (gap) or repeats (fold), and the ones next to them.
    lo, hi = sorted([utc(at + before).replace(tzinfo=None), utc(at + after).replace(tzinfo=None)])
    walls = [lo, hi - dt.timedelta(minutes=1), lo + (hi - lo) / 2, lo - dt.timedelta(hours=1), hi + dt.timedelta(minutes=rng.choice([0, 30, 60]))]
    walls = [x.replace(second=0, microsecond=0) for x in walls]
    cron, with_seconds = _dst_cron(rng, walls)
    fields = cron.split()
    busy = len(fields) == 6 and (fields[1].startswith("*") or fields[0].startswith("*")) or (not cron.startswith("@") and len(fields) == 5 and fields[0].startswith("*"))
    # The window covers the change: it starts before it (on a whole hour or minute, or at a
    # random second) or inside the stretch it repeats, and ends after it. Minutely and secondly
    # crons get short windows (the answers keep cases of at most 200 executions).
    r = rng.random()
    if r < 0.75:
        before_s = [0, 60, 600, 1800, 3600, 5400] if busy else [0, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 25 * 3600, 49 * 3600]
        start = at - rng.choice(before_s)
    elif r < 0.9:
        start = at + rng.choice([0, 60, 900, 1800, 3600])
    else:
        start = at - rng.randint(0, 2 * 3600 if busy else 26 * 3600)
    if rng.random() < 0.3:
        start -= start % 3600
    after_s = [600, 1800, 3600, 2 * 3600] if busy else [3600, 2 * 3600, 3 * 3600, 6 * 3600, 26 * 3600, 50 * 3600, 8 * 86400]
    end = max(at, start) + rng.choice(after_s)
    start_aware = utc(start).astimezone(tz)
    if rng.random() < 0.3:
        start_aware = utc(start)
    end_aware = utc(end).astimezone(tz) if rng.random() < 0.7 else utc(end)
    end_s = _iso(end_aware)
    if rng.random() < 0.03:
        end_s = _iso(start_aware - dt.timedelta(hours=1))
    now = utc(end) + dt.timedelta(minutes=rng.choice([0, 0, 7]))
    if rng.random() < 0.08:
        end_s = None
    return {"id": f"k-{i:06d}", "cron": cron, "with_seconds": with_seconds, "timezone": name,
            "start": _iso(start_aware), "end": end_s, "now": _iso(now)}


def generate(rng: random.Random, n: int) -> list:
    """Cases in KestraOracle's input shape (see differential/kestra/README.md): a third of them
    over a DST fold or gap of an odd zone (`_dst_case`), the rest anything (`_plain_case`)."""
    return [_dst_case(rng, i) if rng.random() < 1 / 3 else _plain_case(rng, i) for i in range(n)]


def spec_of(c: dict) -> str:
    lines = ["engine: kestra", f'schedule: {{cron: "{c["cron"]}"' + (", with_seconds: true}" if c["with_seconds"] else "}")]
    if c["timezone"]:
        lines.append(f'timezone: "{c["timezone"]}"')
    window = f'start: "{c["start"]}"' + (f', end: "{c["end"]}"' if c["end"] else "")
    lines.append(f"window: {{{window}}}")
    lines.append(f'now: "{c["now"]}"')
    return "\n".join(lines) + "\n"


def load(n: int) -> list:
    """The committed cases (the first `n`), each with its answer from the Java oracle."""
    cases = []
    with open(ANSWERS) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rec = json.loads(line)
            cases.append(Case(id=rec["case"]["id"], engine_input=rec, spec=spec_of(rec["case"]),
                              planner_args=["--limit", "100000"]))
            if len(cases) >= n:
                break
    return cases


class Oracle:
    def answer(self, rec: dict):
        a = rec["answer"]
        if a.get("truncated"):
            return None
        if not a["ok"]:
            return Outcome(ok=False, error=a["error"])
        return Outcome(ok=True, runs=[[e["date"], e["previous"], e["next"]] for e in a["executions"]])


def planner_answer(rec: dict, value: dict) -> Outcome:
    if "runs" not in value:
        errs = [d for d in value.get("diagnostics", []) if d.get("severity") == "error"]
        return Outcome(ok=False, error="; ".join(f"{d['code']}: {d['message']}" for d in errs) or str(value)[:300])
    return Outcome(ok=True, runs=[[r["vars"]["trigger.date"], r["vars"]["trigger.previous"], r["vars"]["trigger.next"]]
                                  for r in value["runs"]])


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m harness.kestra", description="write Kestra cases (JSONL) for KestraOracle")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--cases", type=int, default=3000)
    args = ap.parse_args()
    for c in generate(random.Random(f"{args.seed}-kestra"), args.cases):
        print(json.dumps(c))


if __name__ == "__main__":
    main()
