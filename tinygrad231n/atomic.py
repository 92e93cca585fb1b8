"""Write files so that readers see the old file or the new one, never half of either.

Each writer writes to a temporary file in the destination's folder, flushes it to disk, then
renames it over the destination (`os.replace` is atomic on one filesystem). A crash or Ctrl-C
before the rename leaves the destination untouched and removes the temporary file. A SIGKILL leaves
the temporary (".NAME.xxxxxxxx.tmp"); the next write to NAME removes it (see `leftovers`).
"""
import contextlib
import functools
import json
import os
import re
import tempfile

import numpy as np

from tinygrad231n.leftovers import hold, remove_leftovers


@contextlib.contextmanager
def atomic_write(path, mode="w", encoding="utf-8"):
    """`with atomic_write(path) as fh: fh.write(...)`; the file appears only if the block succeeds."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    name = os.path.basename(path)
    remove_leftovers(folder, functools.partial(_is_temporary_of, name))  # what a killed writer left
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    in_use = hold(temporary)  # until it is renamed: another process's cleanup must leave it alone
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise
    finally:
        os.close(in_use)


def _is_temporary_of(name, entry):
    """Whether `entry` is a temporary that atomic_write made for `name` (mkstemp adds 8 of [a-z0-9_])."""
    return re.fullmatch(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp", entry) is not None


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path, obj):
    """Atomically write `obj` as strict, indented JSON (see `strict_json`), keys in their dict order."""
    with atomic_write(path) as fh:
        # insertion order: results keep the order models ran in; allow_nan=False: nothing non-finite slips by
        json.dump(strict_json(obj), fh, indent=2, allow_nan=False)
        fh.write("\n")


def strict_json(obj):
    """`obj` with every NaN or infinite float replaced by None, so that it is valid JSON.

    JSON has no NaN or Infinity (Python's json writes them anyway, and strict parsers reject the
    file), so a non-finite number is written as null: a diverged loss reads back as None. numpy
    numbers become Python ones. Dicts, lists and tuples are walked (tuples become lists); other
    values are returned as they are, for json to write or refuse.
    """
    if isinstance(obj, dict):
        return {key: strict_json(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(value) for value in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def write_text(path, text):
    with atomic_write(path) as fh:
        fh.write(text)


def save_npz(path, **arrays):
    """Atomically write an uncompressed .npz of `arrays` (np.savez, which takes a file object)."""
    with atomic_write(path, "wb") as fh:
        np.savez(fh, **arrays)
