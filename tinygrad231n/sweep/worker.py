"""What runs in a worker: one configuration's task, turned into a record whatever happens."""
import json
import os
import threading
import time

PARENT_POLL_SECONDS = 0.5


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
    try:
        text = json.dumps(result, default=_plain_value, allow_nan=False)
    except ValueError:  # json names no key; find one for the message
        bad = [key for key, value in result.items() if not _finite_json(value)]
        if not bad:
            raise  # another ValueError: a circular reference
        raise ValueError(f"the task's result holds NaN or infinity (in {bad}), which strict JSON cannot "
                         f"hold; return finite numbers") from None
    return json.loads(text)


def _finite_json(value):
    try:
        json.dumps(value, default=_plain_value, allow_nan=False)
    except ValueError:
        return False
    return True


def _plain_value(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays, without importing numpy here
        return value.tolist()
    raise TypeError(f"the task's result holds {value!r} ({type(value).__name__}), which cannot be written "
                    f"as JSON; return numbers, strings, lists and dicts")


_watching = []  # the parent this process already watches (one watcher per process)


def exit_with_parent(parent):
    """Start (once per process) a daemon thread that ends this process within PARENT_POLL_SECONDS of
    `parent` no longer being its parent, i.e. dying, even by SIGKILL: a local sweep's workers would
    otherwise run out their tasks for nobody (loky's for minutes). Does nothing in `parent` itself."""
    if _watching or parent == os.getpid():
        return
    _watching.append(parent)

    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)  # no cleanup: the parent that would collect the result is gone

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
