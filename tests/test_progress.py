"""Progress displays: a tqdm bar on a terminal, a plain line now and then anywhere else (a log, CI)."""
import io
import sys

import numpy as np
import pytest

from tinygrad231n.optim import Solver
from tinygrad231n.progress import PlainProgress, progress
from test_solver import TinyNet, DIMS, CLASSES


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def plain(total=None, desc="sweep", unit="config", **options):
    stream, clock = io.StringIO(), FakeClock()
    bar = progress(total=total, desc=desc, unit=unit, stream=stream, clock=clock, **options)
    return bar, stream, clock


def lines(stream):
    return stream.getvalue().splitlines()


def test_a_log_gets_one_line_at_the_end_of_a_short_loop_however_many_updates():
    bar, stream, clock = plain(total=5000)
    assert isinstance(bar, PlainProgress)
    with bar:
        for _ in range(5000):
            clock.now += 0.002  # 5,000 updates within 10 seconds
            bar.update()
    [line] = lines(stream)
    assert line.startswith("sweep: 5000/5000 config (100%), ")


def test_a_long_loop_writes_a_line_every_period_and_one_at_the_end():
    bar, stream, clock = plain(total=10, every=30)
    with bar:
        for _ in range(10):
            clock.now += 10
            bar.update()
    assert lines(stream) == ["sweep: 3/10 config (30%), 30s", "sweep: 6/10 config (60%), 1m00s",
                             "sweep: 9/10 config (90%), 1m30s", "sweep: 10/10 config (100%), 1m40s"]


def test_no_end_line_repeats_the_last_periodic_one():
    bar, stream, clock = plain(total=3, every=30)
    with bar:
        for _ in range(3):
            clock.now += 10
            bar.update()
    assert lines(stream) == ["sweep: 3/3 config (100%), 30s"]


def test_the_end_line_comes_after_the_last_periodic_one_when_steps_were_left():
    bar, stream, clock = plain(total=None, desc="", unit="B", unit_scale=True, every=60)
    with bar:
        clock.now += 90
        bar.update(1_234_567)
        bar.update(85_000_000)
        clock.now += 3635
    assert lines(stream) == ["1.2 MB, 1m30s", "86.2 MB, 1h02m05s"]


def test_postfix_values_appear_in_the_lines():
    bar, stream, clock = plain(total=3)
    with bar:
        for loss in (2.3, 1.7, 1.2):
            bar.update()
            bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
    assert lines(stream) == ["sweep: 3/3 config (100%), 0s, loss=1.2000"]


def test_disabled_progress_writes_nothing_but_lets_writes_through(capsys):
    bar, stream, clock = plain(total=10, enabled=False)
    with bar:
        for _ in range(10):
            clock.now += 100
            bar.update()
        bar.write("(Epoch 1 / 1) train acc: 0.5")
    assert stream.getvalue() == ""
    assert capsys.readouterr().out == "(Epoch 1 / 1) train acc: 0.5\n"


def test_an_error_inside_the_loop_is_the_last_word():
    bar, stream, clock = plain(total=10)
    with pytest.raises(KeyError):
        with bar:
            bar.update()
            raise KeyError("boom")
    assert stream.getvalue() == ""


def test_a_terminal_gets_a_tqdm_bar():
    tqdm = pytest.importorskip("tqdm")
    stream = FakeTerminal()
    with progress(total=3, desc="train", stream=stream) as bar:
        assert isinstance(bar.bar, tqdm.tqdm)
        for _ in range(3):
            bar.update()
    assert "\r" in stream.getvalue() and "3/3" in stream.getvalue()  # redrawn in place


def test_a_notebook_gets_a_tqdm_bar():
    tqdm = pytest.importorskip("tqdm")
    notebook_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})()
    with progress(total=1, stream=notebook_stream) as bar:
        assert isinstance(bar.bar, tqdm.tqdm)


def test_a_terminal_without_tqdm_gets_the_plain_lines(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm (the cli extra) were not installed
    clock = FakeClock()
    with progress(total=2, desc="train", stream=FakeTerminal(), clock=clock) as bar:
        assert isinstance(bar, PlainProgress)


def test_solver_writes_a_handful_of_progress_lines_to_a_log(capsys):
    # capsys's stderr is not a terminal, as a log file or CI is not.
    rng = np.random.default_rng(0)
    data = {"X_train": rng.standard_normal((200, DIMS)), "y_train": rng.integers(0, CLASSES, 200),
            "X_val": rng.standard_normal((20, DIMS)), "y_val": rng.integers(0, CLASSES, 20)}
    solver = Solver(TinyNet(hidden=4), data, batch_size=2, num_epochs=10, print_every=500, verbose=True,
                    optim_config={"learning_rate": 1e-2})
    solver.train()  # 1,000 iterations
    out, err = capsys.readouterr()
    progress_lines = [line for line in err.splitlines() if line.startswith("Solver:")]
    assert 1 <= len(progress_lines) <= 3 and len(err.splitlines()) == len(progress_lines)
    assert "\r" not in err
    assert progress_lines[-1].startswith("Solver: 1000/1000 it (100%)") and "loss=" in progress_lines[-1]
    # the Solver's own lines go to stdout, as CS231n prints them
    assert out.count("(Iteration ") == 2 and out.count("(Epoch ") == 11
