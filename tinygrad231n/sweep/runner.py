"""run_sweep: skip what is done, run the rest where asked, and stream every record to the results file."""
from tinygrad231n.extras import require
from tinygrad231n.paths import check_output_file
from tinygrad231n.progress import progress as show_progress

from .cluster import CONNECT_TIMEOUT, NO_WORKERS_TIMEOUT, ON_A_CLUSTER, check_scheduler_address, run_on_cluster
from .local import LOCAL, run_local
from .records import append_record, config_key, end_last_line, is_score, latest_records, read_records


def run_sweep(task, configs, results_path, scheduler=None, n_jobs=-1, progress=True, check=None, score=None,
              connect_timeout=CONNECT_TIMEOUT, no_workers_timeout=NO_WORKERS_TIMEOUT):
    """Run `task(config) -> dict of results` for each configuration; return the latest record of each.

    task: a picklable top-level function (workers import it by name).
    configs: a list of dicts of JSON values (see `grid_configs`); a configuration listed twice runs once
        (1 and 1.0 count as one value).
    results_path: a JSON-lines file; each record is appended as its task finishes. Configurations that
        already have an "ok" record there are skipped; "failed" ones are run again.
    scheduler: None runs on local processes (joblib's loky backend, `n_jobs` of them; -1 means one per
        core, 1 means in this process, where a task that kills its process ends the sweep).
        "tcp://HOST:PORT" runs on that Dask distributed cluster, on all its workers (`n_jobs` unused);
        see `cluster.run_on_cluster` for `connect_timeout` and `no_workers_timeout` (seconds).
    check: None, or `check(config)`, called in this process on every configuration before any work; what
        it raises stops the sweep before it starts. For mistakes every configuration would hit (a
        setting the task does not know), which otherwise cost a sweep of identical failures.
    score: None, or a result name (e.g. "val_acc") that an "ok" record must hold as a finite number: a
        task that returns none is recorded as failed, and such a record in the file is skipped.
    Before any work it also checks that `results_path` can be written and that `scheduler` is an address
    (InputError, one line), and that the package the sweep runs on is installed (MissingExtra: joblib
    comes with the `sweep` extra, Dask distributed with `cluster`). Returns the latest record of every configuration in the file, earlier sweeps'
    included, in the order they first appear. A record is {"config", "status": "ok", "result",
    "seconds"} or {"config", "status": "failed", "error": "<type>: <message>", "seconds"}.
    """
    unique = {_checked_key(config): config for config in configs}
    results = check_output_file(results_path, what="results file")
    if scheduler is not None:
        check_scheduler_address(scheduler)
        require("distributed", extra="cluster", needed_for=ON_A_CLUSTER)
    else:
        require("joblib", extra="sweep", needed_for=LOCAL)
    if check is not None:
        for config in unique.values():
            check(dict(config))
    previous = read_records(results_path, score)
    done = {config_key(r["config"]) for r in latest_records(previous) if r["status"] == "ok"}
    todo = [config for key, config in unique.items() if key not in done]

    results.parent.mkdir(parents=True, exist_ok=True)
    end_last_line(results_path)
    new = []
    with show_progress(total=len(todo), enabled=progress, desc="sweep", unit="config") as bar:
        def save(record):
            record = _scored(record, score)
            append_record(results_path, record)
            new.append(record)
            bar.update()

        if todo and scheduler is None:
            run_local(task, todo, n_jobs, save)
        elif todo:
            run_on_cluster(task, todo, scheduler, save, connect_timeout, no_workers_timeout)
    return latest_records(previous + new)


def _scored(record, score):
    """An "ok" record without a number named `score` becomes a failed one, saying what came back."""
    if score is None or record["status"] != "ok" or is_score(record["result"].get(score)):
        return record
    error = (f"ValueError: the task's result has no finite number named {score!r}; it returned "
             f"{str(record['result'])[:200]}")
    return {"config": record["config"], "status": "failed", "error": error, "seconds": record["seconds"]}


def _checked_key(config):
    if not isinstance(config, dict):
        raise TypeError(f"run_sweep: each configuration must be a dict like {{'lr': 0.001}}, got {config!r}")
    try:
        return config_key(config)
    except (TypeError, ValueError) as error:
        raise TypeError(f"run_sweep: configuration {config!r} cannot be written as JSON ({error}); "
                        f"use finite numbers, strings, lists and dicts") from None
