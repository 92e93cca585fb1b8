"""Hyperparameter sweeps: one task per configuration, on local processes or a Dask cluster.

    from tinygrad231n.sweep import parse_grid, grid_configs, run_sweep, best_record, summarize

    def train(config):                       # top level, so workers can import it
        ...                                  # train with config["lr"], config["reg"], ...
        return {"val_acc": val_acc}

    configs = grid_configs(parse_grid("lr=1e-4,1e-3 reg=0.1,1 hidden=100"))
    records = run_sweep(train, configs, "runs/sweep.jsonl")                       # local processes
    records = run_sweep(train, configs, "runs/sweep.jsonl", scheduler="tcp://127.0.0.1:8786")  # a cluster
    best = best_record(records, key="val_acc")   # {"config": ..., "status": "ok", "result": ..., ...}
    print(summarize(records, "runs/sweep.jsonl"))  # one line; SweepFailed with the first error if all failed

The results file doubles as the sweep's checkpoint: stop a sweep (or lose a machine) and run it again,
and it runs only the configurations without an "ok" record. A task that raises is recorded as failed
and the sweep goes on. A task that kills its worker: locally, it is recorded as failed; on a cluster,
Dask first runs it again on other workers and fails it (KilledWorker) only after it has killed
several (see `cluster.py`), so a worker lost for another reason costs nothing. A sweep that cannot go
on (no Dask worker for a while, the scheduler gone) stops with ClusterError and records nothing for
the unfinished configurations, so the next run runs them.

Locally each configuration is a joblib task on loky processes; on a cluster, a Dask future (see
`cluster.py` for why not joblib's Dask backend). For a cluster, start `dask scheduler` on one machine
and `dask worker tcp://HOST:8786` on each of the others, with this package (and your task's module)
installed on all of them.
"""
from .cluster import ClusterError
from .grid import grid_configs, parse_grid
from .records import best_record, config_key, read_records
from .runner import run_sweep
from .summary import SweepFailed, summarize

__all__ = ["parse_grid", "grid_configs", "run_sweep", "best_record", "read_records", "config_key", "summarize",
           "SweepFailed", "ClusterError"]
