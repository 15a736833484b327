#!/usr/bin/env python3
"""Reads each TOML file named on the command line with Python's tomllib (the reference reader)
and prints, as one JSON object, for each path: {"ok": false} when tomllib refuses it, else
{"ok": true, "value": CANONICAL}. The canonical form is the one TOMLConformanceTests writes for
ruralmapd's reader: tables as objects, arrays as lists, strings as strings, and tagged scalars
{"int": "…"}, {"float": repr}, {"bool": …}, {"datetime": ISO text, Z for offset 0}."""
import datetime, json, sys, tomllib


def fraction(microseconds):
    return ("." + f"{microseconds:06d}".rstrip("0")) if microseconds else ""


def time_text(t):
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}" + fraction(t.microsecond)


def canonical(v):
    if isinstance(v, dict):
        return {k: canonical(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canonical(x) for x in v]
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, str):
        return v
    if isinstance(v, datetime.datetime):
        text = v.date().isoformat() + "T" + time_text(v.time())
        if v.tzinfo is not None:
            minutes = int(v.utcoffset().total_seconds() // 60)
            text += "Z" if minutes == 0 else ("-" if minutes < 0 else "+") + f"{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return {"datetime": text}
    if isinstance(v, datetime.date):
        return {"datetime": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"datetime": time_text(v)}
    raise TypeError(type(v))


out = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as fh:
            out[path] = {"ok": True, "value": canonical(tomllib.load(fh))}
    except tomllib.TOMLDecodeError:
        out[path] = {"ok": False}
json.dump(out, sys.stdout, sort_keys=True)
