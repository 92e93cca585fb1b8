"""The sweep's results file: JSON lines, one record per finished configuration.

A record is {"config": {...}, "status": "ok", "result": {...}, "seconds": float} or
{"config": {...}, "status": "failed", "error": "<type>: <message>", "seconds": float}.

Records are only ever appended, each as one whole line in one write call, flushed and synced, so a
crash loses at most the line being written. Reading skips (with a warning) a line that is not a whole
record, which is what such a crash leaves at the end of the file.
"""
import json
import os
import warnings


def config_key(config):
    """A configuration's canonical text, JSON with sorted keys: {"a": 1, "b": 2} matches {"b": 2, "a": 1}."""
    return json.dumps(config, sort_keys=True)


def read_records(path):
    """Every whole record in the file at `path`, in file order; [] if there is no file yet."""
    if not os.path.exists(path):
        return []
    records = []
    with open(path, encoding="utf-8") as fh:
        for line_number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            record = _parse_record(line)
            if record is None:
                warnings.warn(f"{path}:{line_number}: skipping a line that is not a whole sweep record "
                              f"(a run cut off mid-write?): {line.strip()[:80]!r}", stacklevel=2)
            else:
                records.append(record)
    return records


def _parse_record(line):
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("config"), dict) or "status" not in record:
        return None
    return record


def append_record(path, record):
    """Append `record` as one line: one write call, then flush and fsync, so it lands whole or not at all."""
    line = json.dumps(record) + "\n"
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
    """The "ok" record with the highest `result[key]` (higher is better; ties go to the earlier record)."""
    scored = [r for r in records if r["status"] == "ok" and key in r["result"]]
    if not scored:
        names = sorted({name for r in records if r["status"] == "ok" for name in r["result"]})
        raise ValueError(f"best_record: no successful record has a result named {key!r} "
                         f"({len(records)} record(s); their results are named: {names or 'nothing'})")
    return max(scored, key=lambda r: r["result"][key])
