"""Temporaries a killed process left behind, told apart from ones another process is still writing.

Our writers make temporary files and folders beside their destination (atomic writes, downloads) and
remove them when they finish, fail or are interrupted. A SIGKILL gives them no chance to, so:

    fd = hold(temporary)       # the writer: an exclusive lock, held while `fd` stays open
    remove_leftovers(folder, is_ours)   # the next run: removes each `is_ours` entry no one holds

A lock (flock) dies with its process, however the process ends, so an entry of our naming whose lock
can be taken is a leftover. Where flock is missing (Windows) or refused (some network file systems),
nothing is taken for a leftover and nothing is removed.
"""
import contextlib
import os
import shutil

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def hold(path):
    """Open `path` (a file or a folder) and lock it: others see it in use until the returned fd is closed."""
    fd = os.open(path, os.O_RDONLY)
    if fcntl is not None:
        with contextlib.suppress(OSError):  # no locks here: others cannot tell, so they leave it alone
            fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def remove_leftovers(folder, is_ours):
    """Remove every entry of `folder` whose name `is_ours(name)` accepts and that no process holds.
    Returns the names removed."""
    if fcntl is None:
        return []
    removed = []
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in entries:
            if is_ours(entry.name) and _remove_if_unheld(entry):
                removed.append(entry.name)
    return removed


def _remove_if_unheld(entry):
    try:
        fd = os.open(entry.path, os.O_RDONLY)
    except OSError:  # gone already, or not ours to read
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by a live writer (or locks unsupported): leave it
        os.close(fd)
        return False
    try:  # removed while we hold the lock, so no writer can take it over meanwhile
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(entry.path)
    finally:
        os.close(fd)
    return True
