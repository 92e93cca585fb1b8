"""The one exception for bad input: what the person running tinygrad231n gave cannot be used.

    raise InputError(f"--out {path}: is a file, not a folder; give a folder path")

The checks of what a user hands in (arguments and settings, paths, data files, a sweep's grid, a
results file) raise it, or one of its subclasses (DataError, OutputPathError, SettingError, ...),
with a message of one line saying what was wrong and what was expected. The command line prints that
line and exits with status 2. Any other exception from inside the library is a bug in it: the command
line shows its traceback and asks for a report.

It is a ValueError, so code (and tests) that catch ValueError for bad input keep working.
"""


class InputError(ValueError):
    """Bad input from the user; the message is one line saying what was wrong and what was expected."""
