"""One run at a time in a run folder: an flock on a lock file that names its process.

    with run_lock("runs/full"):     # RunLocked (an InputError, one line) if another run holds it
        ...

Two runs writing one results.json would each overwrite the other's models. The lock is an flock
(the kernel drops it when its process ends, however it ends, so a run killed with SIGKILL never
leaves a lock that blocks the next one) on a hidden file that the run removes when it is done. A
run that locked a file just as its holder removed it sees that the path no longer names its file,
and tries again. Where flock is missing (Windows) runs are not kept apart.
"""
import contextlib
import os

from tinygrad231n.errors import InputError
from tinygrad231n.leftovers import fcntl

LOCK_NAME = ".tinygrad231n.lock"


class RunLocked(InputError, RuntimeError):
    """Another live run holds the folder's lock: this run needs another folder, or to wait."""


@contextlib.contextmanager
def run_lock(folder):
    path = os.path.join(folder, LOCK_NAME)
    os.makedirs(folder, exist_ok=True)
    fd = _take(path)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)  # still holding the lock: no one else can have taken this file meanwhile
        os.close(fd)  # closing drops the flock


def _take(path):
    """An open fd of the lock file at `path`, flock'ed by us; RunLocked if a live run holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is None:
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise RunLocked(f"{os.path.dirname(path) or '.'} is in use by another run (pid {owner}, lock file "
                            f"{path}); wait for it to finish or choose another --out") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # its holder removed it as we locked it: lock the file now at `path`
