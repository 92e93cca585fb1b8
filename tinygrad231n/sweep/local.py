"""Run configurations on local processes: one joblib task each, on joblib's loky backend.

A task that raises fails inside its worker (`run_one` records it). A worker that dies (os._exit, a
segfault, the OOM killer) is another matter: loky then breaks the whole joblib call with
TerminatedWorkerError, taking every task in flight down with it, and cannot say whose task killed it.
So after a death, the configurations that call had taken up and not finished are run again one at a
time: the one that dies alone is recorded as failed, the others succeed, and the configurations not
yet taken up go on in parallel.

Stopping: Ctrl-C (and SIGTERM, which the command line turns into Ctrl-C) makes joblib stop the workers.
A SIGKILL of this process gives joblib no chance to, so each worker watches its parent and exits when
it dies (`worker.exit_with_parent`).
"""
import os
import time

from tinygrad231n.extras import require

from .records import config_key
from .worker import exit_with_parent, failed_record, run_one

LOCAL = "a sweep on local processes"


def run_local(task, configs, n_jobs, save):
    """Run every configuration on `n_jobs` local processes, calling `save(record)` as each finishes.

    n_jobs: -1 means one process per core; 1 means in this process (joblib's rule), where a task that
    kills its process ends the sweep.
    """
    remaining = list(configs)
    while remaining:
        taken, finished = [], set()
        failure = _run_until_death(task, remaining, n_jobs, taken, finished, save)
        if failure is None:
            return
        taken = list(taken)  # a copy: joblib's dispatch thread may still be winding down
        if not taken:
            raise failure  # nothing ran: the backend itself is broken, not a task
        for config in taken:
            if config_key(config) not in finished:
                save(_run_alone(task, config, n_jobs))
        settled = {config_key(config) for config in taken}
        remaining = [config for config in remaining if config_key(config) not in settled]


def _run_until_death(task, configs, n_jobs, taken, finished, save):
    """Save records as they come; return None when all are done, or the error if a worker died first."""
    records = _parallel_records(task, configs, n_jobs, taken)
    while True:
        try:
            record = next(records, None)
        except Exception as error:  # only joblib's own errors get here: run_one catches the task's
            return error
        if record is None:
            return None
        finished.add(config_key(record["config"]))
        save(record)


def _parallel_records(task, configs, n_jobs, taken):
    """Yield a record per configuration as each finishes; `taken` collects those joblib has taken up."""
    joblib = require("joblib", extra="sweep", needed_for=LOCAL)

    def calls():
        for config in configs:
            taken.append(config)
            yield joblib.delayed(run_one)(task, config)

    # One configuration per joblib task and no look-ahead beyond one task per worker, so that a
    # worker's death takes down as few configurations as possible. Each worker starts by watching
    # this process, before it imports any task, so that it ends with a killed sweep.
    with joblib.parallel_config(backend="loky", initializer=exit_with_parent, initargs=(os.getpid(),)):
        parallel = joblib.Parallel(n_jobs=n_jobs, batch_size=1, pre_dispatch="n_jobs",
                                   return_as="generator_unordered")  # takes the backend from the config
    yield from parallel(calls())


def _run_alone(task, config, n_jobs):
    start = time.perf_counter()
    try:
        (record,) = _parallel_records(task, [config], n_jobs, [])
        return record
    except Exception as error:  # it died again, alone: this configuration kills its worker
        return failed_record(config, error, time.perf_counter() - start)
