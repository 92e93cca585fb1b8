"""`tinygrad231n keep MODEL --results SWEEP.jsonl`: a sweep's winner becomes the model's kept settings.

Configurations that differ only in their seed are one candidate, scored by its mean validation
accuracy over the seeds it ran with (one seed's final iterate can vary by about 0.01); the best
candidate wins and keeps its smallest seed. Its settings, the sweep command that found them and
what it saw are written to the model's kept file, models/kept/<model>.json.
"""
import json
import os
import statistics
import warnings

from models import registry
from tinygrad231n.atomic import write_json
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_file
from tinygrad231n.sweep import read_records
from tinygrad231n.sweep.records import config_key, is_score, latest_records

SCORE = "val_acc"


def candidates(spec, records):
    """{candidate key: (settings without seed, [(seed, result), ...])} over the "ok" records."""
    found = {}
    for record in latest_records(records):
        if record["status"] != "ok" or not is_score(record["result"].get(SCORE)):
            continue
        settings = spec.check(record["config"])
        seed = settings.pop("seed", None)
        found.setdefault(config_key(settings), (settings, []))[1].append((seed, record["result"]))
    return found


def best_candidate(spec, records, source="these results"):
    """(settings, runs) of the candidate with the best mean validation accuracy; ties go to the first."""
    found = candidates(spec, records)
    if not found:
        raise InputError(f"keep: no successful {spec.name} configuration with a {SCORE} in {source}")
    return max(found.values(), key=lambda candidate: statistics.mean(r[SCORE] for _, r in candidate[1]))


def grid_text(records):
    """The --grid that spans the records' configurations: name=v1,v2 with each name's values in order."""
    values = {}
    for record in records:
        for name, value in record["config"].items():
            values.setdefault(name, [])
            if value not in values[name]:
                values[name].append(value)
    return " ".join(f"{name}={','.join(_text(v) for v in vs)}" for name, vs in values.items())


def keep(name, results_path, out=None):
    """Write the best candidate of the sweep in `results_path` as `name`'s kept settings; returns (Kept, path)."""
    spec = registry.get(name)
    path = out or spec.kept.path
    if path is None:
        raise InputError(f"keep: {name}'s kept settings are written in its declaration, not in a kept file; "
                         f"give --out FILE.json")
    check_output_file(path, what="--out")  # before reading: nothing is chosen only to be lost
    records, damaged = read_results(results_path)
    skipped = f" ({len(damaged)} damaged line(s) skipped; the first: {damaged[0]})" if damaged else ""
    settings, runs = best_candidate(spec, records, f"{results_path}{skipped}")
    for problem in damaged:  # the winner stands, but what was passed over is said
        warnings.warn(problem, stacklevel=2)
    seeds = sorted(seed for seed, _ in runs if seed is not None)
    overrides = {**settings, **({"seed": seeds[0]} if seeds else {})}
    scores = [result[SCORE] for _, result in runs]
    tests = [result["test_acc"] for _, result in runs if "test_acc" in result]
    seen = (f"val {statistics.mean(scores):.3f}" + (f" (mean over seeds {seeds}: each {_list(scores)})" if len(runs) > 1 else "")
            + (f"; test {statistics.mean(tests):.3f}" if tests else "")
            + f"; best of {len(candidates(spec, records))} candidates in {results_path}")
    kept = registry.Kept(spec.config(overrides),
                         f"tinygrad231n sweep {name} --grid \"{grid_text(records)}\"  then  "
                         f"tinygrad231n keep {name} --results {results_path}", seen, path)
    write_json(kept.path, kept.to_json())
    return kept, kept.path


def read_results(path):
    """(records, [what was wrong with each damaged line]) of the sweep's results file at `path`."""
    if not os.path.isfile(path):
        problem = "is a folder" if os.path.isdir(path) else "does not exist"
        raise InputError(f"keep: --results {path} {problem}; give the JSON-lines file a sweep wrote")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = read_records(path, score=SCORE)  # an "ok" line whose score is NaN is damage, said as such
    return records, [str(warning.message) for warning in caught]


def _text(value):
    """A value as the grid grammar writes it."""
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _list(values):
    return ", ".join(f"{v:.3f}" for v in values)
