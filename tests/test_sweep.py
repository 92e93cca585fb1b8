"""Sweeps: grid parsing, the results file as a checkpoint, failures that stay local, and a real cluster."""
import functools
import json
import os
import uuid

import numpy as np
import pytest

from tinygrad231n.sweep import best_record, grid_configs, parse_grid, read_records, run_sweep
from tinygrad231n.sweep.worker import run_one


# Tasks live at module level, so worker processes can import them by name.
def scored_task(calls_dir, config):
    """val_acc = lr + reg. Leaves one file per call in `calls_dir`, holding its config, to count calls.

    config["fail"] raises; config["die"] kills the worker process outright, as a segfault would.
    """
    with open(os.path.join(calls_dir, uuid.uuid4().hex), "w") as fh:
        json.dump(config, fh, sort_keys=True)
    if config.get("fail"):
        raise ValueError("asked to fail")
    if config.get("die"):
        os._exit(1)
    return {"val_acc": config["lr"] + config["reg"], "pid": os.getpid()}


def calls_per_config(calls_dir):
    counts = {}
    for name in os.listdir(calls_dir):
        with open(os.path.join(calls_dir, name)) as fh:
            key = fh.read()
        counts[key] = counts.get(key, 0) + 1
    return counts


def by_lr(records):
    return {r["config"]["lr"]: r for r in records}


@pytest.fixture
def task(tmp_path):
    calls_dir = tmp_path / "calls"
    calls_dir.mkdir()
    return functools.partial(scored_task, str(calls_dir))


# --- the grid ---------------------------------------------------------------------------------

def test_parse_grid_reads_ints_floats_and_strings():
    grid = parse_grid("lr=1e-4,1e-3 reg=0.1,1 hidden=100 activation=relu,tanh")
    assert grid == {"lr": [1e-4, 1e-3], "reg": [0.1, 1.0], "hidden": [100], "activation": ["relu", "tanh"]}
    assert list(grid) == ["lr", "reg", "hidden", "activation"]
    assert [type(v) for v in grid["reg"]] == [float, float]  # mixed with a float, 1 becomes 1.0
    assert type(grid["hidden"][0]) is int
    assert parse_grid("  ") == {}


@pytest.mark.parametrize("text, bad_token", [
    ("lr", "'lr'"), ("lr = 1e-3", "'lr'"), ("lr=", "'lr='"), ("lr=1,,2", "'lr=1,,2'"),
    ("=1", "'=1'"), ("2lr=1", "'2lr=1'"), ("lr=1=2", "'lr=1=2'"), ("lr=1 reg=2 lr=3", "'lr=3'"),
])
def test_parse_grid_names_the_bad_token_and_the_expected_form(text, bad_token):
    with pytest.raises(ValueError) as error:
        parse_grid(text)
    assert bad_token in str(error.value)
    assert "name=v1,v2 name2=..." in str(error.value)


def test_grid_configs_is_the_product_with_the_first_name_slowest():
    assert grid_configs({"lr": [1, 2], "reg": [0.5, 0.25], "hidden": [7]}) == [
        {"lr": 1, "reg": 0.5, "hidden": 7}, {"lr": 1, "reg": 0.25, "hidden": 7},
        {"lr": 2, "reg": 0.5, "hidden": 7}, {"lr": 2, "reg": 0.25, "hidden": 7},
    ]
    assert grid_configs({}) == [{}]
    with pytest.raises(ValueError, match="'reg' has no values"):
        grid_configs({"lr": [1], "reg": []})
    with pytest.raises(ValueError, match="'lr' must map to a list"):
        grid_configs({"lr": 0.1})


# --- one task, in its worker ------------------------------------------------------------------

def test_run_one_turns_results_into_json_and_bad_results_into_failures():
    record = run_one(lambda c: {"val_acc": np.float32(0.5), "curve": np.arange(2)}, {"lr": 1})
    assert record["status"] == "ok" and record["result"] == {"val_acc": 0.5, "curve": [0, 1]}
    assert type(record["result"]["val_acc"]) is float

    record = run_one(lambda c: 0.5, {"lr": 1})
    assert record["status"] == "failed" and record["error"].startswith("TypeError: the task must return a dict")

    record = run_one(lambda c: {"model": object()}, {"lr": 1})
    assert record["status"] == "failed" and "cannot be written as JSON" in record["error"]


def test_best_record_takes_the_highest_successful_score():
    records = [{"config": {"lr": 1}, "status": "ok", "result": {"val_acc": 0.3}},
               {"config": {"lr": 2}, "status": "failed", "error": "ValueError: x"},
               {"config": {"lr": 3}, "status": "ok", "result": {"val_acc": 0.7}}]
    assert best_record(records)["config"] == {"lr": 3}
    with pytest.raises(ValueError, match="no successful record has a result named 'loss'.*val_acc"):
        best_record(records, key="loss")


def test_run_sweep_rejects_configs_that_are_not_json_dicts(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    with pytest.raises(TypeError, match="each configuration must be a dict like"):
        run_sweep(task, ["lr=1"], results, progress=False)
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        run_sweep(task, [{"lr": 1}, {"lr": np.int64(2)}], results, progress=False)
    assert not results.exists() and calls_per_config(task.args[0]) == {}


# --- local processes --------------------------------------------------------------------------

def test_sweep_writes_a_line_per_config_and_a_rerun_skips_done_ones(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    configs = grid_configs(parse_grid("lr=1,2 reg=0.5,0.25"))
    records = run_sweep(task, configs + configs[:1], results, n_jobs=2, progress=False)

    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(lines) == 4 and sorted(lines, key=json.dumps) == sorted(records, key=json.dumps)
    assert sorted(json.dumps(r["config"], sort_keys=True) for r in records) == \
        sorted(json.dumps(c, sort_keys=True) for c in configs)
    for r in records:
        assert r["status"] == "ok" and r["result"]["val_acc"] == r["config"]["lr"] + r["config"]["reg"]
        assert r["result"]["pid"] != os.getpid() and r["seconds"] >= 0
    assert sorted(calls_per_config(task.args[0]).values()) == [1, 1, 1, 1]  # the duplicate ran once

    again = run_sweep(task, configs, results, n_jobs=2, progress=False)
    assert again == records
    assert sorted(calls_per_config(task.args[0]).values()) == [1, 1, 1, 1]
    assert len(results.read_text().splitlines()) == 4
    assert best_record(again)["config"] == {"lr": 2, "reg": 0.5}


def test_a_task_that_raises_is_recorded_failed_and_retried_next_time(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    configs = [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0, "fail": True}, {"lr": 3, "reg": 0}]
    records = by_lr(run_sweep(task, configs, results, n_jobs=2, progress=False))
    assert records[2]["status"] == "failed" and records[2]["error"] == "ValueError: asked to fail"
    assert records[1]["status"] == records[3]["status"] == "ok", records

    records = by_lr(run_sweep(task, configs, results, n_jobs=2, progress=False))
    assert records[2]["status"] == "failed"
    calls = calls_per_config(task.args[0])
    assert sorted(calls.values()) == [1, 1, 2]  # only the failed one ran again
    assert calls[json.dumps(configs[1], sort_keys=True)] == 2


def test_a_task_that_kills_its_worker_is_recorded_failed_and_the_others_succeed(task, tmp_path):
    configs = [{"lr": lr, "reg": 0, "die": lr == 2} for lr in (1, 2, 3, 4, 5)]
    records = by_lr(run_sweep(task, configs, tmp_path / "sweep.jsonl", n_jobs=2, progress=False))
    assert records[2]["status"] == "failed" and records[2]["error"].startswith("TerminatedWorkerError")
    assert all(records[lr]["status"] == "ok" and records[lr]["result"]["val_acc"] == lr for lr in (1, 3, 4, 5))


def test_a_line_cut_off_by_a_crash_is_skipped_and_its_config_run_again(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    done = {"config": {"lr": 1, "reg": 0}, "status": "ok", "result": {"val_acc": 1}, "seconds": 0.1}
    results.write_text(json.dumps(done) + "\n" + '{"config": {"lr": 2, "reg": 0}, "stat')

    with pytest.warns(UserWarning, match=r"sweep.jsonl:2: skipping a line that is not a whole sweep record"):
        records = run_sweep(task, [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0}], results, n_jobs=2, progress=False)
    assert [r["config"]["lr"] for r in records] == [1, 2] and records[0] == done
    assert list(calls_per_config(task.args[0])) == [json.dumps({"lr": 2, "reg": 0}, sort_keys=True)]

    with pytest.warns(UserWarning, match="sweep.jsonl:2:"):  # the new record is whole, on a line of its own
        assert read_records(results) == records


# --- a real Dask cluster on loopback ----------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    # Fail a task at the first worker death it causes (Dask waits for four), so tests need not wait
    # for three restarts.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
            silence_logs=50) as local_cluster:
        yield local_cluster


def worker_pids(cluster):
    """The pids of the cluster's two worker processes, once both are up (a dead one is being restarted)."""
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        return set(client.run(os.getpid).values())


def test_sweep_runs_on_the_cluster_workers(cluster, task, tmp_path):
    configs = grid_configs(parse_grid("lr=1,2,3 reg=0.5"))
    records = run_sweep(task, configs, tmp_path / "sweep.jsonl", scheduler=cluster.scheduler_address,
                        progress=False)
    assert sorted(r["config"]["lr"] for r in records) == [1, 2, 3]
    assert all(r["status"] == "ok" and r["result"]["val_acc"] == r["config"]["lr"] + 0.5 for r in records)
    pids = {r["result"]["pid"] for r in records}
    assert os.getpid() not in pids and pids <= worker_pids(cluster)
    assert len((tmp_path / "sweep.jsonl").read_text().splitlines()) == 3


def test_a_task_that_kills_its_cluster_worker_is_recorded_failed(cluster, task, tmp_path):
    # Two configurations for two workers: Dask blames every task a dead worker held, so the one that
    # succeeds must not be queued behind the one that dies.
    configs = [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0, "die": True}]
    records = by_lr(run_sweep(task, configs, tmp_path / "sweep.jsonl", scheduler=cluster.scheduler_address,
                              progress=False))
    assert records[2]["status"] == "failed" and records[2]["error"].startswith("KilledWorker")
    assert records[1]["status"] == "ok" and records[1]["result"]["val_acc"] == 1
    assert records[1]["result"]["pid"] in worker_pids(cluster)  # the survivor's worker lives on
