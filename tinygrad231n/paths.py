"""Check an output path before any work starts, so a bad one costs one line, not a run.

    check_output_dir("runs/demo", what="--out")            # a folder, or a place one can be made
    check_output_file("runs/sweep.jsonl", what="--results")  # a file (not a folder) in such a place
    check_output_files("runs/train", ["svm.npz", "svm.json"], what="--out")  # a folder and files in it

Each returns the path as a `pathlib.Path` or raises OutputPathError (an InputError) whose message is one
line naming the path and the problem. None of them creates anything that stays: whether a folder can be
written is tested by opening an unnamed temporary file in the nearest folder that exists, because
`os.access` only reads permission bits (root passes it on read-only places such as /sys).
"""
import stat
import tempfile
from pathlib import Path

from tinygrad231n.errors import InputError


class OutputPathError(InputError):
    """An output path that cannot be written; the message is one line naming it and saying why."""


def check_output_dir(path, what="output folder"):
    """`path` is a writable folder, or does not exist yet and can be created. -> Path(path)."""
    path = Path(path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise OutputPathError(f"{what} {path}: is a file, not a folder; give a folder path")
        _check_writable_folder(path, path, what)
    else:
        _check_creatable(path, what)
    return path


def check_output_file(path, what="output file"):
    """`path` is a writable file, or does not exist yet and can be created, in a folder that can be
    written (atomic writes put a temporary file beside it). -> Path(path)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise OutputPathError(f"{what} {path}: is an existing folder; give a file path")
    if path.exists():
        if not stat.S_ISREG(path.stat().st_mode):
            raise OutputPathError(f"{what} {path}: is not a regular file (a device, pipe or socket)")
        try:
            open(path, "ab").close()  # opening to append changes neither content nor times
        except OSError as error:
            raise OutputPathError(f"{what} {path}: cannot write to it ({error.strerror})") from None
    folder = path.parent
    if folder.exists():
        if not folder.is_dir():
            raise OutputPathError(f"{what} {path}: {folder} is a file, so nothing can be created under it")
        _check_writable_folder(folder, path, what)
    else:
        _check_creatable(folder, what, shown=path)
    return path


def check_output_files(folder, names, what="output folder"):
    """`folder` passes check_output_dir and each file `names` names in it passes check_output_file, so a
    run fails now, not after its work, when one of them is a folder or cannot be replaced. -> Path(folder)."""
    folder = check_output_dir(folder, what)
    for name in names:
        check_output_file(folder / name, what)
    return folder


def _check_creatable(path, what, shown=None):
    """`path` does not exist: its nearest existing ancestor must be a folder we can write in."""
    shown = path if shown is None else shown
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputPathError(f"{what} {shown}: {ancestor} is a file, so nothing can be created under it")
    _check_writable_folder(ancestor, shown, what)


def _check_writable_folder(folder, shown, what):
    try:
        # An unnamed file where the OS has O_TMPFILE, else one removed at once: nothing is left behind.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        where = "" if Path(shown) == folder else f" (in {folder})"
        raise OutputPathError(f"{what} {shown}: cannot write there{where}: {error.strerror}") from None
