"""One run at a time in a run folder: an flock on a lock file that names its process.

    with run_lock("runs/full"):     # RunLocked (a RuntimeError, one line) if another run holds it
        ...

Two runs writing one results.json would each overwrite the other's models. The lock is an flock
(tinygrad231n.leftovers.hold), which the kernel drops when its process ends however it ends, so a run
killed with SIGKILL never leaves a lock that blocks the next one. The file itself stays in the folder
(hidden): removing it on release would let a third run lock a new file while a second still holds the
old one. Where flock is missing (Windows) runs are not kept apart.
"""
import contextlib
import os

from tinygrad231n.leftovers import fcntl

LOCK_NAME = ".tinygrad231n.lock"


class RunLocked(RuntimeError):
    """Another live run holds the folder's lock."""


@contextlib.contextmanager
def run_lock(folder):
    path = os.path.join(folder, LOCK_NAME)
    os.makedirs(folder, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                raise RunLocked(f"{folder} is in use by another run (pid {owner}, lock file {path}); wait for it "
                                f"to finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)  # closing drops the flock
