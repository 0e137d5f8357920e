"""Random cron expressions, feature by feature, for each engine's dialect."""

from __future__ import annotations

import random

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _name(rng: random.Random, value: int, names: list, base: int) -> str:
    name = names[value - base]
    return rng.choice([name, name.upper(), name.capitalize()])


def field(rng: random.Random, lo: int, hi: int, *, names=None, base=0, wrap=False, weight_star=0.35) -> str:
    """One field: `*`, a value, a list, a range (maybe wrapping), a step, a stepped range."""
    def val(v: int) -> str:
        if names and rng.random() < 0.3:
            return _name(rng, v, names, base)
        return str(v)

    r = rng.random()
    if r < weight_star:
        return "*"
    r = rng.random()
    if r < 0.3:
        return val(rng.randint(lo, hi))
    if r < 0.45:
        k = rng.randint(2, 4)
        vals = sorted(set(rng.randint(lo, hi) for _ in range(k)))
        if rng.random() < 0.2:
            rng.shuffle(vals)
        return ",".join(val(v) for v in vals)
    if r < 0.65:
        a, b = sorted(rng.sample(range(lo, hi + 1), 2))
        if wrap and rng.random() < 0.35:
            a, b = b, a  # a wrap-around range such as `Apr-Feb` or `fri-mon`
        out = f"{val(a)}-{val(b)}"
        if rng.random() < 0.3:
            out += f"/{rng.randint(2, 4)}"
        return out
    if r < 0.85:
        return f"*/{rng.randint(2, max(2, (hi - lo) // 2))}"
    if r < 0.93:
        return f"{rng.randint(lo, hi)}/{rng.randint(2, 7)}"
    # A range list.
    a, b = sorted(rng.sample(range(lo, hi + 1), 2))
    return f"{val(a)}-{val(b)},{val(rng.randint(lo, hi))}"


def five_fields(rng: random.Random, *, special=True, wrap=True, dow_max=6, star_dow=0.6) -> list:
    """minute hour dom month dow. `special`: `L`, `W`, `#`, `?` may appear."""
    minute = field(rng, 0, 59, weight_star=0.1)
    hour = field(rng, 0, 23, weight_star=0.3)
    dom = field(rng, 1, 31, weight_star=0.6, wrap=wrap)
    month = field(rng, 1, 12, names=MONTHS, base=1, wrap=wrap, weight_star=0.6)
    dow = field(rng, 0, dow_max, names=DAYS + (["sun"] if dow_max == 7 else []), wrap=wrap, weight_star=star_dow)
    if special and rng.random() < 0.2:
        pick = rng.random()
        if pick < 0.25:
            dom = "L"
        elif pick < 0.45:
            dom = f"{rng.randint(1, 28)}W"
        elif pick < 0.55:
            dom = "LW"
        elif pick < 0.75:
            dow = f"{rng.choice([str(rng.randint(0, 6)), rng.choice(DAYS)])}#{rng.randint(1, 5)}"
        else:
            dow = f"{rng.randint(0, 6)}L"
    if special and rng.random() < 0.08:
        if dom == "*":
            dom = "?"
        elif dow == "*":
            dow = "?"
    return [minute, hour, dom, month, dow]


NICKNAMES = ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"]
