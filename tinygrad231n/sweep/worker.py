"""What runs in a worker: one configuration's task, turned into a record whatever happens."""
import json
import time


def run_one(task, config):
    """Run `task(config)` and return its record. An exception becomes a "failed" record: it ends its task only.

    -> {"config", "status": "ok", "result": dict of JSON values, "seconds"}
       or {"config", "status": "failed", "error": "<type>: <message>", "seconds"}
    """
    start = time.perf_counter()
    try:
        result = as_json(task(dict(config)))  # a copy: a task that edits its config cannot edit the record
    except (Exception, SystemExit) as error:  # SystemExit too: argparse and sys.exit() in a task
        return failed_record(config, error, time.perf_counter() - start)
    return {"config": config, "status": "ok", "result": result, "seconds": time.perf_counter() - start}


def failed_record(config, error, seconds):
    error = f"{type(error).__name__}: {error}"
    return {"config": config, "status": "failed", "error": error, "seconds": seconds}


def as_json(result):
    """`result` as plain JSON values (numpy scalars and arrays become numbers and lists)."""
    if not isinstance(result, dict):
        raise TypeError(f"the task must return a dict of results, like {{'val_acc': 0.5}}; "
                        f"it returned a {type(result).__name__}")
    return json.loads(json.dumps(result, default=_plain_value))


def _plain_value(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays, without importing numpy here
        return value.tolist()
    raise TypeError(f"the task's result holds {value!r} ({type(value).__name__}), which cannot be written "
                    f"as JSON; return numbers, strings, lists and dicts")
