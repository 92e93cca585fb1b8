"""The sweep's results file: JSON lines, one record per finished configuration.

A record is {"config": {...}, "status": "ok", "result": {...}, "seconds": float} or
{"config": {...}, "status": "failed", "error": "<type>: <message>", "seconds": float}.

Records are only ever appended, each as one whole line in one write call, flushed and synced, so a
crash loses at most the line being written. Reading skips, with a warning naming the file and line, any
line that is not a whole record: what such a crash leaves at the end of the file, and any other damage
(bytes that are not UTF-8, an "ok" record without its result, a score that is not a number).
"""
import json
import math
import os
import warnings


def config_key(config):
    """A configuration's canonical text: JSON with sorted keys and every number as a float, so
    {"a": 1, "b": 2} matches {"b": 2, "a": 1} and {"reg": 1} matches {"reg": 1.0} (as `reg=1` and
    `reg=1.0` on the command line mean one setting). Booleans stay booleans."""
    return json.dumps(_numbers_as_floats(config), sort_keys=True, allow_nan=False)


def _numbers_as_floats(value):
    if isinstance(value, dict):
        return {key: _numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers_as_floats(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def read_records(path, score=None):
    """Every whole record in the file at `path`, in file order; [] if there is no file yet.

    score: a result name (e.g. "val_acc") that every "ok" record must hold as a finite number; an "ok"
    record without one is skipped too, so its configuration runs again.
    """
    if not os.path.exists(path):
        return []
    records = []
    with open(path, "rb") as fh:  # bytes: one line that is not UTF-8 must not hide the others
        for line_number, raw in enumerate(fh, start=1):
            record, problem = _parse_record(raw, score)
            if problem:
                warnings.warn(f"{path}:{line_number}: skipping a line that is not a whole sweep record "
                              f"({problem}): {raw.strip()[:80]!r}", stacklevel=2)
            elif record is not None:
                records.append(record)
    return records


def _parse_record(raw, score):
    """-> (record, None), (None, None) for a blank line, or (None, "what is wrong with it")."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None, "not JSON; a run cut off mid-write?"
    if not isinstance(record, dict) or not isinstance(record.get("config"), dict):
        return None, "no config"
    try:
        config_key(record["config"])
    except ValueError:
        return None, "a config holding NaN or infinity"
    if record.get("status") == "failed":
        return (record, None) if isinstance(record.get("error"), str) else (None, "a failed record without an error")
    if record.get("status") != "ok":
        return None, f"status {record.get('status')!r}, expected 'ok' or 'failed'"
    if not isinstance(record.get("result"), dict):
        return None, "an 'ok' record without a result"
    if score is not None and not is_score(record["result"].get(score)):
        return None, f"its {score!r} is {record['result'].get(score)!r}, not a number"
    return record, None


def is_score(value):
    """A finite int or float (not a bool, not NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def append_record(path, record):
    """Append `record` as one line: one write call, then flush and fsync, so it lands whole or not at all."""
    line = json.dumps(record, allow_nan=False) + "\n"  # strict JSON: NaN has no place in the file
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def end_last_line(path):
    """Make sure the file ends in a newline, so a line a crash left half-written is not glued to the next."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        ends_in_newline = fh.read(1) == b"\n"
    if not ends_in_newline:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n")


def latest_records(records):
    """The last record of each configuration, in the order configurations first appear."""
    latest = {}
    for record in records:
        latest[config_key(record["config"])] = record
    return list(latest.values())


def best_record(records, key="val_acc"):
    """The "ok" record with the highest `result[key]` (higher is better; ties go to the earlier record).

    A record whose `result[key]` is not a finite number is passed over with a warning naming its config.
    """
    scored = []
    for record in records:
        if record["status"] != "ok" or key not in record["result"]:
            continue
        if is_score(record["result"][key]):
            scored.append(record)
        else:
            warnings.warn(f"best_record: passing over {record['config']}: its {key!r} is "
                          f"{record['result'][key]!r}, not a number", stacklevel=2)
    if not scored:
        names = sorted({name for r in records if r["status"] == "ok" for name in r["result"]})
        raise ValueError(f"best_record: no successful record has a result named {key!r} "
                         f"({len(records)} record(s); their results are named: {names or 'nothing'})")
    return max(scored, key=lambda r: r["result"][key])
