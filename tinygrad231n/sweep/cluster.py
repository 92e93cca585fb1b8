"""Run configurations on a Dask distributed cluster: one Dask future each.

Why futures and not joblib's Dask backend: when a worker dies, joblib 1.6's backend never tells joblib
that the task failed (its result collector sets the error on a future joblib does not wait on), so the
joblib call waits forever. Dask itself handles deaths well: it moves the dead worker's tasks to other
workers, and fails with KilledWorker only a task that has killed several of them
(`distributed.scheduler.allowed-failures`, 3 by default). So each configuration is its own future,
and a KilledWorker fails just that configuration.
"""
import time

from .worker import failed_record, run_one


def run_on_cluster(task, configs, scheduler, save):
    """Run every configuration on the cluster at `scheduler` ("tcp://HOST:PORT"), calling `save(record)`
    as each finishes. `task` and its module must be importable on the workers."""
    # Imported here: only cluster sweeps need distributed, and it is slow to import.
    from distributed import Client, as_completed

    with Client(scheduler, set_as_default=False) as client:
        submitted = time.perf_counter()
        # pure=False: a configuration run again must run again, not come back from Dask's cache.
        futures = {client.submit(run_one, task, config, pure=False): config for config in configs}
        for future in as_completed(futures, loop=client.loop):
            try:
                record = future.result()
            except Exception as error:  # KilledWorker, or the task could not be unpickled on a worker
                # No worker timed it, so "seconds" is the time from submission to the failure.
                record = failed_record(futures[future], error, time.perf_counter() - submitted)
            save(record)
