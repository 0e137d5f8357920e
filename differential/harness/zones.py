"""Time zones with odd transitions, and instants near them."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

IANA = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "Pacific/Apia",
    "Africa/Casablanca",
    "Europe/Amsterdam",
    "Asia/Kolkata",
    "Australia/Sydney",
]
FIXED = ["+05:30", "-03:30", "+00:00", "+14:00", "-09:30"]


def tzinfo(name: str):
    if name[0] in "+-":
        sign = 1 if name[0] == "+" else -1
        h, m = name[1:].split(":")
        return dt.timezone(sign * dt.timedelta(hours=int(h), minutes=int(m)))
    return ZoneInfo(name)


def transitions(name: str, year: int) -> list:
    """UTC instants (naive) where the zone's offset changes during `year`, found by bisection."""
    if name[0] in "+-" or name == "UTC":
        return []
    tz = ZoneInfo(name)
    out = []
    t = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    step = dt.timedelta(hours=6)
    prev = t.astimezone(tz).utcoffset()
    while t.year == year:
        n = t + step
        off = n.astimezone(tz).utcoffset()
        if off != prev:
            lo, hi = t, n
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(tzinfo=None))
            prev = off
        t = n
    return out


def interesting_year(rng: random.Random, name: str) -> int:
    if name == "Pacific/Apia" and rng.random() < 0.5:
        return 2011
    r = rng.random()
    if r < 0.08:
        return rng.randint(1850, 1899)
    if r < 0.15:
        return rng.randint(1900, 1969)
    return rng.randint(1970, 2037)


def near_transition(rng: random.Random, name: str, year: int):
    """A wall time (naive) near one of the zone's transitions of `year`, or None."""
    ts = transitions(name, year)
    if not ts:
        return None
    t = rng.choice(ts)
    local = t.replace(tzinfo=dt.timezone.utc).astimezone(tzinfo(name)).replace(tzinfo=None)
    shift = rng.choice([0, 0, -1, -2, -3, -6, -12, -24, -48, 1, 2])
    return local + dt.timedelta(hours=shift)
