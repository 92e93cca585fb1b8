"""The one line a sweep ends with: how many ran, how many failed and why, and the best.

    summarize(records, "runs/sweep-svm.jsonl")
    # "4 configurations in runs/sweep-svm.jsonl (1 failed, the first with {'reg': 1e9}: FloatingPointError: ...);
    #  best: {'reg': 0.1} -> {'val_acc': 0.41, ...}"

When every configuration failed there is no best, and SweepFailed says why the first one failed: that
is usually why they all did (an unknown setting, missing data).
"""
from tinygrad231n.errors import InputError

from .records import best_record

ERROR_CHARS = 300  # enough for any of our one-line errors; a traceback-sized message gets cut


class SweepFailed(InputError, RuntimeError):
    """No configuration of the sweep succeeded; the message (one line) gives the first failure's error.
    An InputError: what they all failed on is usually a setting they share, or the data."""


def summarize(records, results_path, key="val_acc"):
    """One line on `records` (the latest record of each configuration, as run_sweep returns them).

    Raises SweepFailed when none succeeded (or none has a number named `key`).
    """
    failed = [r for r in records if r["status"] != "ok"]
    if len(failed) == len(records):
        if len(records) == 1:
            raise SweepFailed(f"the one configuration in {results_path} failed: {describe_failure(failed[0])}")
        first = f"; the first: {describe_failure(failed[0])}" if failed else ""
        raise SweepFailed(f"all {_configurations(len(records))} in {results_path} failed{first}")
    try:
        best = best_record(records, key=key)
    except ValueError as error:  # successes, but none scored: say so and why the others failed
        first = f"; the first failure: {describe_failure(failed[0])}" if failed else ""
        raise SweepFailed(f"{error}{first}") from None
    failures = f"{len(failed)} failed, the first with {describe_failure(failed[0])}" if failed else "none failed"
    return (f"{_configurations(len(records))} in {results_path} ({failures}); "
            f"best: {best['config']} -> {best['result']}")


def _configurations(count):
    return f"{count} configuration{'' if count == 1 else 's'}"


def describe_failure(record):
    """"{config}: <type>: <message>" on one line, the message cut to ERROR_CHARS."""
    error = " ".join(str(record.get("error", "no error recorded")).split())
    if len(error) > ERROR_CHARS:
        error = error[:ERROR_CHARS - 3] + "..."
    return f"{record['config']}: {error}"
