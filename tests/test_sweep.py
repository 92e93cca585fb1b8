"""Sweeps: grid parsing, the results file as a checkpoint, failures that stay local, and a real cluster."""
import functools
import json
import os
import socket
import threading
import time
import uuid

import numpy as np
import pytest

from tinygrad231n import cli
from tinygrad231n.paths import OutputPathError
from tinygrad231n.sweep import (ClusterError, SweepFailed, best_record, grid_configs, parse_grid, read_records,
                                run_sweep, summarize)
from tinygrad231n.sweep.worker import run_one


# Tasks live at module level, so worker processes can import them by name.
def scored_task(calls_dir, config):
    """val_acc = lr + reg. Leaves one file per call in `calls_dir`, holding its config, to count calls.

    config["fail"] raises; config["die"] kills the worker process outright, as a segfault would;
    config["sleep"] sleeps that many seconds first.
    """
    with open(os.path.join(calls_dir, uuid.uuid4().hex), "w") as fh:
        json.dump(config, fh, sort_keys=True)
    time.sleep(config.get("sleep", 0))
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


@pytest.mark.parametrize("text", ["reg=nan", "lr=1e-3,inf", "reg=-inf"])
def test_parse_grid_refuses_values_strict_json_cannot_hold(text):
    with pytest.raises(ValueError, match="NaN or infinite"):
        parse_grid(text)


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

    record = run_one(lambda c: {"val_acc": 0.5, "loss": np.float64("nan")}, {"lr": 1})
    assert record["status"] == "failed" and "NaN or infinity (in ['loss'])" in record["error"]


def test_best_record_takes_the_highest_successful_score():
    records = [{"config": {"lr": 1}, "status": "ok", "result": {"val_acc": 0.3}},
               {"config": {"lr": 2}, "status": "failed", "error": "ValueError: x"},
               {"config": {"lr": 3}, "status": "ok", "result": {"val_acc": 0.7}}]
    assert best_record(records)["config"] == {"lr": 3}
    with pytest.raises(ValueError, match="no successful record has a result named 'loss'.*val_acc"):
        best_record(records, key="loss")

    records.append({"config": {"lr": 4}, "status": "ok", "result": {"val_acc": "0.9"}})
    with pytest.warns(UserWarning, match=r"passing over \{'lr': 4\}: its 'val_acc' is '0.9', not a number"):
        assert best_record(records)["config"] == {"lr": 3}


def test_summarize_gives_the_best_and_the_first_failure_in_one_line():
    ok = {"config": {"lr": 1}, "status": "ok", "result": {"val_acc": 0.3}, "seconds": 1}
    failed = {"config": {"lr": 2}, "status": "failed", "error": "ValueError: bad\n  lr", "seconds": 1}
    line = summarize([ok, failed], "s.jsonl")
    assert line == "2 configurations in s.jsonl (1 failed, the first with {'lr': 2}: ValueError: bad lr); " \
                   "best: {'lr': 1} -> {'val_acc': 0.3}"
    assert summarize([ok], "s.jsonl").startswith("1 configuration in s.jsonl (none failed); best: {'lr': 1}")


def test_summarize_says_why_when_every_configuration_failed():
    records = [{"config": {"nosuch": v}, "status": "failed", "seconds": 0,
                "error": "ValueError: svm has no setting 'nosuch'"} for v in (1, 2)]
    with pytest.raises(SweepFailed) as error:
        summarize(records, "s.jsonl")
    assert str(error.value) == ("all 2 configurations in s.jsonl failed; the first: {'nosuch': 1}: "
                                "ValueError: svm has no setting 'nosuch'")
    records[0]["error"] = "x" * 1000  # a huge message is cut, so the line stays a line
    with pytest.raises(SweepFailed, match=r"x\.\.\.$") as error:
        summarize(records, "s.jsonl")
    assert len(str(error.value)) < 400
    with pytest.raises(SweepFailed, match=r"^the one configuration in s.jsonl failed: \{'nosuch': 2\}: ValueError"):
        summarize(records[1:], "s.jsonl")


def test_run_sweep_rejects_configs_that_are_not_json_dicts(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    with pytest.raises(TypeError, match="each configuration must be a dict like"):
        run_sweep(task, ["lr=1"], results, progress=False)
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        run_sweep(task, [{"lr": 1}, {"lr": np.int64(2)}], results, progress=False)
    assert not results.exists() and calls_per_config(task.args[0]) == {}


def test_a_check_stops_the_sweep_before_any_work(task, tmp_path):
    def check(config):
        if "nosuch" in config:
            raise ValueError("svm has no setting 'nosuch'")

    results = tmp_path / "sweep.jsonl"
    with pytest.raises(ValueError, match="no setting 'nosuch'"):
        run_sweep(task, [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0, "nosuch": 1}], results, check=check,
                  progress=False)
    assert not results.exists() and calls_per_config(task.args[0]) == {}


@pytest.mark.parametrize("where, problem", [
    (lambda t: t, "is an existing folder"),
    (lambda t: t / "a-file" / "sweep.jsonl", "a-file is a file, so nothing can be created under it"),
])
def test_a_results_path_that_cannot_be_written_stops_the_sweep_before_any_work(task, tmp_path, where, problem):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OutputPathError, match=f"results file {where(tmp_path)}: .*{problem}"):
        run_sweep(task, [{"lr": 1, "reg": 0}], where(tmp_path), progress=False)
    assert calls_per_config(task.args[0]) == {}


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


def test_resume_takes_1_and_1_0_for_one_value(task, tmp_path):
    results = tmp_path / "sweep.jsonl"
    first = run_sweep(task, grid_configs(parse_grid("lr=1 reg=1")), results, n_jobs=1, progress=False)
    again = run_sweep(task, grid_configs(parse_grid("lr=1.0 reg=1.0")), results, n_jobs=1, progress=False)
    assert again == first and len(calls_per_config(task.args[0])) == 1
    assert len(results.read_text().splitlines()) == 1


def test_damaged_lines_are_skipped_with_file_and_line_and_their_configs_run_again(task, tmp_path):
    def line(lr, **record):
        return json.dumps({"config": {"lr": lr, "reg": 0}, "seconds": 0.1, **record}).encode() + b"\n"

    results = tmp_path / "sweep.jsonl"
    results.write_bytes(line(1, status="ok", result={"val_acc": 1})
                        + b'{"config": {"lr": 2, "reg": 0}, "status": "ok", "result": {"val_acc": 2\xff}}\n'
                        + line(3, status="ok")
                        + line(4, status="ok", result={"val_acc": "high"})
                        + line(5, status="ok", result={"val_acc": float("nan")})  # json.dumps writes NaN
                        + line(6, status="done", result={"val_acc": 6})
                        + line(7, status="failed"))
    expected = {2: "not UTF-8 text", 3: "an 'ok' record without a result", 4: "its 'val_acc' is 'high', not a number",
                5: "its 'val_acc' is nan, not a number", 6: "status 'done', expected 'ok' or 'failed'",
                7: "a failed record without an error"}
    with pytest.warns(UserWarning) as caught:
        records = run_sweep(task, [{"lr": lr, "reg": 0} for lr in range(1, 8)], results, n_jobs=2,
                            score="val_acc", progress=False)
    messages = [str(w.message) for w in caught if "sweep.jsonl" in str(w.message)]
    for number, problem in expected.items():
        assert any(f"sweep.jsonl:{number}: skipping" in m and problem in m for m in messages), (number, messages)
    assert all(r["status"] == "ok" and r["result"]["val_acc"] == r["config"]["lr"] for r in records)
    assert sorted(json.loads(key)["lr"] for key in calls_per_config(task.args[0])) == [2, 3, 4, 5, 6, 7]


def test_a_task_without_the_score_is_recorded_failed(tmp_path):
    records = run_sweep(no_score_task, [{"lr": 1}], tmp_path / "sweep.jsonl", n_jobs=1, score="val_acc",
                        progress=False)
    assert records[0]["status"] == "failed"
    assert records[0]["error"].startswith("ValueError: the task's result has no finite number named 'val_acc'")


def no_score_task(config):
    return {"val_acc": None}


# --- the command line --------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    (["--sample", "--grid", "nosuch=1,2"], "svm has no setting 'nosuch'"),
    (["--data", "{tmp}/no-data", "--grid", "reg=1"], "no CIFAR-10 batches in"),
    (["--sample", "--grid", "reg=1", "--scheduler", "notaurl"], "scheduler address 'notaurl' is not of the form"),
    (["--sample", "--grid", "reg=1", "--results", "{tmp}"], "is an existing folder"),
])
def test_sweep_command_stops_with_one_line_before_any_work(tmp_path, capsys, options, message):
    options = [option.replace("{tmp}", str(tmp_path)) for option in options]
    if "--results" not in options:
        options += ["--results", str(tmp_path / "sweep.jsonl")]
    start = time.perf_counter()
    assert cli.main(["sweep", "svm", *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tinygrad231n sweep: error: ") and message in err and err.count("\n") == 1, err
    assert time.perf_counter() - start < 10 and not (tmp_path / "sweep.jsonl").exists()


# --- a real Dask cluster on loopback ----------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    # Fail a task at the first worker death it causes (Dask waits for four), so tests need not wait
    # for three restarts.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
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


@pytest.mark.parametrize("address", ["notaurl", "tcp://127.0.0.1", "http://127.0.0.1:8786", "tcp://:8786",
                                     "tcp://127.0.0.1:99999", "tcp://127.0.0.1:port"])
def test_a_scheduler_address_that_is_not_one_stops_the_sweep_before_any_work(task, tmp_path, address):
    with pytest.raises(ValueError, match="is not of the form tcp://HOST:PORT"):
        run_sweep(task, [{"lr": 1, "reg": 0}], tmp_path / "sweep.jsonl", scheduler=address, progress=False)
    assert not (tmp_path / "sweep.jsonl").exists()


def test_an_unreachable_scheduler_is_one_line_after_the_connect_timeout(task, tmp_path):
    pytest.importorskip("distributed")
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    start = time.perf_counter()
    with pytest.raises(ClusterError, match=f"could not reach a Dask scheduler at {address} within 1 s"):
        run_sweep(task, [{"lr": 1, "reg": 0}], tmp_path / "sweep.jsonl", scheduler=address, connect_timeout=1,
                  progress=False)
    assert time.perf_counter() - start < 10


def test_a_cluster_without_workers_gives_up_after_the_timeout(task, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=50) as empty:
        start = time.perf_counter()
        with pytest.raises(ClusterError, match=r"no Dask worker at .* for 1 s, so 2 configuration\(s\) did not run"):
            run_sweep(task, [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0}], tmp_path / "sweep.jsonl",
                      scheduler=empty.scheduler_address, no_workers_timeout=1, progress=False)
        assert time.perf_counter() - start < 15
    assert read_records(tmp_path / "sweep.jsonl") == []  # nothing recorded: the next run runs both
    assert capsys.readouterr().err.count("no Dask worker at") == 1  # said once while waiting, not silent


def test_losing_the_scheduler_stops_the_sweep_with_one_line_and_records_only_what_finished(task, tmp_path, capfd):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    results = tmp_path / "sweep.jsonl"
    # Dask's default retries: closing the cluster stops its worker first, which must not fail the task.
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}):
        doomed = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                          dashboard_address=":0", silence_logs=50)

    def close_after_the_first_record():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (results.exists() and results.read_text()):
            time.sleep(0.05)
        doomed.close()

    closer = threading.Thread(target=close_after_the_first_record)
    closer.start()
    try:
        with pytest.raises(ClusterError, match="lost the Dask scheduler at .*; 1 configuration\\(s\\) did not finish"):
            run_sweep(task, [{"lr": 1, "reg": 0}, {"lr": 2, "reg": 0, "sleep": 60}], results,
                      scheduler=doomed.scheduler_address, progress=False)
    finally:
        closer.join()
    assert [r["config"]["lr"] for r in read_records(results)] == [1]  # no "failed" record for the lost one
    assert "Traceback" not in capfd.readouterr().err
