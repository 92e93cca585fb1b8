"""One run at a time in a run folder: a lock file, taken atomically, that names its process.

    with run_lock("runs/full"):     # RunLocked (a RuntimeError, one line) if another run holds it
        ...

Two runs writing one results.json would each overwrite the other's models. The lock is a file
created with O_EXCL (so exactly one of two racing runs gets it) holding the owner's pid; a lock
whose process is gone (a run killed with SIGKILL) is stale and taken over.
"""
import contextlib
import os

LOCK_NAME = ".tinygrad231n.lock"


class RunLocked(RuntimeError):
    """Another live run holds the folder's lock."""


@contextlib.contextmanager
def run_lock(folder):
    path = os.path.join(folder, LOCK_NAME)
    os.makedirs(folder, exist_ok=True)
    _take(path)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _take(path, attempts=2):
    for _ in range(attempts):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            if owner == 0:  # released while we looked: try again
                continue
            if owner is None or _alive(owner):  # None: just created, its pid not written yet
                raise RunLocked(f"{os.path.dirname(path) or '.'} is in use by another run (pid {owner or '?'}, "
                                f"lock file {path}); wait for it to finish or choose another --out") from None
            with contextlib.suppress(FileNotFoundError):  # stale: its run is gone
                os.remove(path)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        return
    raise RunLocked(f"could not take the lock {path}: another run keeps taking it")


def _owner(path):
    """The pid written in the lock file; None while it is still empty (or unreadable); 0 if it is gone."""
    try:
        with open(path, encoding="utf-8") as fh:
            return int(fh.read().strip())
    except FileNotFoundError:
        return 0
    except ValueError:
        return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
