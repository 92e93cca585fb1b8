"""run_sweep: skip what is done, run the rest where asked, and stream every record to the results file."""
import os

from tqdm.auto import tqdm

from .cluster import run_on_cluster
from .local import run_local
from .records import append_record, config_key, end_last_line, latest_records, read_records


def run_sweep(task, configs, results_path, scheduler=None, n_jobs=-1, progress=True):
    """Run `task(config) -> dict of results` for each configuration; return the latest record of each.

    task: a picklable top-level function (workers import it by name).
    configs: a list of dicts of JSON values (see `grid_configs`); a configuration listed twice runs once.
    results_path: a JSON-lines file; each record is appended as its task finishes. Configurations that
        already have an "ok" record there are skipped; "failed" ones are run again.
    scheduler: None runs on local processes (joblib's loky backend, `n_jobs` of them; -1 means one per
        core, 1 means in this process, where a task that kills its process ends the sweep).
        "tcp://HOST:PORT" runs on that Dask distributed cluster, on all its workers (`n_jobs` unused).
    Returns the latest record of every configuration in the file, earlier sweeps' included, in the
    order they first appear. A record is {"config", "status": "ok", "result", "seconds"} or
    {"config", "status": "failed", "error": "<type>: <message>", "seconds"}.
    """
    unique = {_checked_key(config): config for config in configs}
    previous = read_records(results_path)
    done = {config_key(r["config"]) for r in latest_records(previous) if r["status"] == "ok"}
    todo = [config for key, config in unique.items() if key not in done]

    os.makedirs(os.path.dirname(os.path.abspath(results_path)), exist_ok=True)
    end_last_line(results_path)
    new = []
    with tqdm(total=len(todo), disable=not progress, desc="sweep", unit="config") as bar:
        def save(record):
            append_record(results_path, record)
            new.append(record)
            bar.update()

        if todo and scheduler is None:
            run_local(task, todo, n_jobs, save)
        elif todo:
            run_on_cluster(task, todo, scheduler, save)
    return latest_records(previous + new)


def _checked_key(config):
    if not isinstance(config, dict):
        raise TypeError(f"run_sweep: each configuration must be a dict like {{'lr': 0.001}}, got {config!r}")
    try:
        return config_key(config)
    except (TypeError, ValueError) as error:
        raise TypeError(f"run_sweep: configuration {config!r} cannot be written as JSON ({error}); "
                        f"use numbers, strings, lists and dicts") from None
