"""Run configurations on a Dask distributed cluster: one Dask future each.

Why futures and not joblib's Dask backend: when a worker dies, joblib 1.6's backend never tells joblib
that the task failed (its result collector sets the error on a future joblib does not wait on), so the
joblib call waits forever. Dask itself handles deaths well: it moves the dead worker's tasks to other
workers, and fails with KilledWorker only a task that has killed several of them
(`distributed.scheduler.allowed-failures`, 3 by default: a fourth death fails it). So each
configuration is its own future, and a KilledWorker fails just that configuration.

What Dask does not do is give up: with no worker left it waits for one forever, and when the scheduler
goes away its futures end "cancelled". Both stop the sweep here with one line (ClusterError), recording
nothing for the configurations that did not finish, so the next run of the sweep runs them.
"""
import contextlib
import logging
import sys
import time
import urllib.parse

from tinygrad231n.errors import InputError
from tinygrad231n.extras import require

from .worker import failed_record, run_one

CONNECT_TIMEOUT = 10  # seconds to reach the scheduler
NO_WORKERS_TIMEOUT = 120  # seconds with no worker before the sweep gives up
POLL_SECONDS = 0.2
ADDRESS_FORM = "tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)"
ON_A_CLUSTER = "a sweep on a Dask cluster (--scheduler)"


class ClusterError(InputError, RuntimeError):
    """The cluster cannot run the sweep (unreachable, no workers, scheduler gone); one line saying so.
    An InputError: the address given, or the cluster behind it, is what has to change."""


def check_scheduler_address(address):
    """`address` as "scheme://host:port" (a bare HOST:PORT gets tcp://); InputError if it is not one."""
    full = address if "://" in address else f"tcp://{address}"
    parts = urllib.parse.urlsplit(full)
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None or parts.path or port == 0:
        raise InputError(f"scheduler address {address!r} is not of the form {ADDRESS_FORM}")
    return full


def run_on_cluster(task, configs, scheduler, save, connect_timeout=CONNECT_TIMEOUT,
                   no_workers_timeout=NO_WORKERS_TIMEOUT):
    """Run every configuration on the cluster at `scheduler` ("tcp://HOST:PORT"), calling `save(record)`
    as each finishes. `task` and its module must be importable on the workers.

    Raises ClusterError if the scheduler cannot be reached within `connect_timeout` seconds, if it has
    had no worker for `no_workers_timeout` seconds, or if it goes away mid-sweep.
    """
    scheduler = check_scheduler_address(scheduler)
    # Quiet: Dask logs its reconnect attempts with tracebacks; our one line says what happened.
    with _quiet("distributed"), _connect(scheduler, connect_timeout) as client:
        # pure=False: a configuration run again must run again, not come back from Dask's cache.
        futures = {client.submit(run_one, task, config, pure=False): config for config in configs}
        _collect(client, futures, scheduler, save, no_workers_timeout)


def _connect(scheduler, timeout):
    # imported here: only cluster sweeps need it (the cluster extra), and it is slow to import
    Client = require("distributed", extra="cluster", needed_for=ON_A_CLUSTER).Client

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except Exception as error:  # OSError when nothing answers; others when something else answers
        raise ClusterError(f"could not reach a Dask scheduler at {scheduler} within {timeout} s ({error}); "
                           f"start one with `dask scheduler`, or check the address") from None


def _collect(client, futures, scheduler, save, no_workers_timeout):
    """Save each future's record as it finishes; raise ClusterError when the cluster cannot go on."""
    from distributed import as_completed

    submitted = time.perf_counter()
    finished = as_completed(futures, loop=client.loop)
    workers = _WorkerWatch(client, scheduler, no_workers_timeout)
    saved = 0
    while not finished.is_empty():
        if not finished.has_ready():
            workers.check(unfinished=len(futures) - saved)
            time.sleep(POLL_SECONDS)
            continue
        for future in finished.next_batch(block=False):
            if future.cancelled():  # the scheduler dropped it: it stopped, restarted or we lost it
                raise _scheduler_lost(scheduler, len(futures) - saved)
            try:
                record = future.result()
            except Exception as error:  # KilledWorker, or the task could not be unpickled on a worker
                # No worker timed it, so "seconds" is the time from submission to the failure.
                record = failed_record(futures[future], error, time.perf_counter() - submitted)
            save(record)
            saved += 1


class _WorkerWatch:
    """Gives up (ClusterError) when the scheduler is gone, or has had no worker for `timeout` seconds;
    says once, on stderr, that it is waiting, so that the wait is not a silent hang."""

    def __init__(self, client, scheduler, timeout):
        self.client, self.scheduler, self.timeout = client, scheduler, timeout
        self.last_seen, self.told = time.monotonic(), False

    def check(self, unfinished):
        count = _worker_count(self.client)
        if count is None:
            raise _scheduler_lost(self.scheduler, unfinished)
        if count:
            self.last_seen, self.told = time.monotonic(), False
            return
        if not self.told:
            print(f"sweep: no Dask worker at {self.scheduler}; waiting up to {self.timeout} s for one",
                  file=sys.stderr)
            self.told = True
        if time.monotonic() - self.last_seen > self.timeout:
            raise ClusterError(f"no Dask worker at {self.scheduler} for {self.timeout} s, so {unfinished} "
                               f"configuration(s) did not run; start workers with `dask worker {self.scheduler}` "
                               f"and run the sweep again")


def _worker_count(client):
    """How many workers the scheduler has, or None if it cannot be asked (the connection is gone)."""
    try:
        return len(client.nthreads())
    except Exception:
        return None


def _scheduler_lost(scheduler, unfinished):
    return ClusterError(f"lost the Dask scheduler at {scheduler}; {unfinished} configuration(s) did not "
                        f"finish and are not recorded: run the sweep again when the scheduler is back")


@contextlib.contextmanager
def _quiet(package):
    """Silence `package`'s loggers (Dask sets levels on several, e.g. distributed.client) for a while."""
    require("distributed", extra="cluster", needed_for=ON_A_CLUSTER)  # creates its loggers and sets their levels

    names = [package] + [name for name in logging.root.manager.loggerDict if name.startswith(package + ".")]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
