"""What a stopped command leaves behind: SIGTERM cleans up as Ctrl-C does; after a SIGKILL, the next run
removes our temporaries, and a killed sweep's workers exit with it.

Each test runs the real command in a subprocess, stops it in the middle of a write, and looks at what
is left.
"""
import contextlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tinygrad231n.atomic import write_json
from tinygrad231n.data import DataError, download_cifar10
from tinygrad231n.leftovers import hold, remove_leftovers

psutil = pytest.importorskip("psutil")  # comes with dask[distributed]
if os.name != "posix":
    pytest.skip("signals and flock are POSIX", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SENT_BEFORE_STALLING = 3 << 20  # more than one 1 MB chunk of the download loop


def start(*args):
    """Run `python args...` from the repository root, with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(condition, what, process, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the command ended (rc {process.returncode}) before {what}: "
                                 f"{process.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def gone(pids, timeout):
    """Whether every process in `pids` has exited (zombies count: they run nothing) within `timeout` s."""
    def alive(pid):
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# --- download -------------------------------------------------------------------------------------

@pytest.fixture
def stalling_url():
    """An http URL that sends the first SENT_BEFORE_STALLING bytes of a bigger archive, then stalls."""
    release = threading.Event()

    class Stalling(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(2 * SENT_BEFORE_STALLING))
            self.end_headers()
            self.wfile.write(b"\0" * SENT_BEFORE_STALLING)
            self.wfile.flush()
            release.wait(60)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cifar-10-python.tar.gz"
    release.set()
    server.shutdown()
    server.server_close()


def workdirs(dest):
    return sorted(dest.glob(".cifar10-download-*"))


def start_download_and_wait_for_a_write(dest, url):
    process = start("-m", "tinygrad231n", "download", "--dest", str(dest), "--url", url, "--md5", "0" * 32)

    def archive_written():
        return any((d / "cifar-10-python.tar.gz").exists() and (d / "cifar-10-python.tar.gz").stat().st_size
                   for d in workdirs(dest))

    wait_for(archive_written, "the download wrote part of the archive", process)
    return process


def test_sigterm_during_a_download_removes_its_temporary_folder(tmp_path, stalling_url):
    dest = tmp_path / "data"
    process = start_download_and_wait_for_a_write(dest, stalling_url)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "interrupted" in err, err
    assert "Traceback" not in err
    assert list(dest.iterdir()) == []


def test_the_folder_a_killed_download_left_is_removed_by_the_next_one(tmp_path, stalling_url):
    dest = tmp_path / "data"
    process = start_download_and_wait_for_a_write(dest, stalling_url)
    process.kill()
    process.communicate(timeout=30)
    assert len(workdirs(dest)) == 1  # SIGKILL leaves it: nothing runs in a killed process

    not_cifar = tmp_path / "not-cifar.tar.gz"
    not_cifar.write_bytes(b"not an archive")
    with pytest.raises(DataError, match="md5 mismatch"):
        download_cifar10(dest, url=str(not_cifar), md5="0" * 32, progress=False)
    assert list(dest.iterdir()) == []  # the leftover is gone, and the failed download cleaned up after itself


# --- atomic writes (results, checkpoints, reports) --------------------------------------------

WRITER = """
import sys, time
from tinygrad231n.atomic import atomic_write
with atomic_write(sys.argv[1]) as fh:
    fh.write("half of a result")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_the_temporary_a_killed_write_left_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "results.json"
    process = start("-c", WRITER, str(path))
    wait_for(lambda: list(tmp_path.glob(".results.json.*.tmp")), "the write started", process)
    process.kill()
    process.communicate(timeout=30)
    assert len(list(tmp_path.glob(".results.json.*.tmp"))) == 1 and not path.exists()

    write_json(path, {"val_acc": 0.5})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]
    assert json.loads(path.read_text()) == {"val_acc": 0.5}


def test_temporaries_still_being_written_are_left_alone(tmp_path):
    live_file = tmp_path / ".results.json.abcd1234.tmp"
    live_file.write_text("")
    live_folder = tmp_path / ".cifar10-download-abcd1234"
    live_folder.mkdir()
    dead_file = tmp_path / ".results.json.dead1234.tmp"
    dead_file.write_text("")
    other = tmp_path / ".results.json.notours.tmp"  # not mkstemp's 8 characters: not our naming
    other.write_text("")
    held = [hold(live_file), hold(live_folder)]  # as a live writer in another process holds them
    try:
        write_json(tmp_path / "results.json", {"a": 1})
        assert remove_leftovers(tmp_path, lambda name: name.startswith(".cifar10-download-")) == []
        assert live_file.exists() and live_folder.exists() and other.exists() and not dead_file.exists()
    finally:
        for fd in held:
            os.close(fd)
    assert remove_leftovers(tmp_path, lambda name: name.startswith(".cifar10-download-")) == [live_folder.name]


# --- sweeps ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_a_sweep_stops_its_workers(tmp_path, stop):
    results = tmp_path / "sweep.jsonl"
    # Long enough that no configuration finishes before the signal.
    process = start("-m", "tinygrad231n", "sweep", "svm", "--sample", "--grid", "num_iters=1000000,1000001",
                    "--jobs", "2", "--results", str(results))
    main = psutil.Process(process.pid)

    def workers():
        return [p for p in main.children(recursive=True) if "LokyProcess" in " ".join(p.cmdline())]

    wait_for(lambda: len(workers()) == 2, "two workers running", process)
    time.sleep(1)  # let them take up their configurations
    helpers = main.children(recursive=True)  # the workers and loky's resource tracker
    try:
        process.send_signal(stop)
        _, err = process.communicate(timeout=30)
        if stop == signal.SIGTERM:
            assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
        assert gone([p.pid for p in helpers], timeout=10), "workers outlived the sweep"
        assert not results.exists() or results.read_text() == ""  # nothing half-written, nothing recorded
    finally:  # a failure here must not leave workers training for minutes
        for helper in helpers:
            with contextlib.suppress(psutil.NoSuchProcess):
                helper.kill()
        process.kill()
