"""Progress of a long loop: a live bar on a terminal, a plain line now and then anywhere else.

    with progress(total=len(todo), desc="sweep", unit="config") as bar:
        for config in todo:
            ...
            bar.update()
            bar.set_postfix(loss=f"{loss:.4f}")   # shown on the bar and in the plain lines
            bar.write("(Epoch 1 / 10) ...")       # a line of output (to stdout) that the bar leaves alone

On a terminal (and in a Jupyter notebook) this is a tqdm bar, redrawn as it goes. Where the output is
not interactive (a log file, CI, a pipe), redrawing would write a line per update (one run wrote
440 KB of log with 5,300 redraws), so there a line such as

    sweep: 3/12 config (25%), 1m30s

is written every `every` seconds (30 by default) and once at the end, as pip and Keras do when not
interactive. tqdm is optional (the `cli` extra): without it a terminal gets the plain lines too.
"""
import sys
import time

EVERY_SECONDS = 30.0


def progress(total=None, desc="", unit="it", enabled=True, stream=None, every=EVERY_SECONDS, unit_scale=False,
             clock=time.monotonic):
    """A progress display for `total` steps (None: unknown) written to `stream` (default: sys.stderr).

    `enabled=False` shows nothing (writes still go through). `unit_scale` shows large counts with SI
    prefixes (bytes as "85.0 MB"). `clock` (seconds) paces the plain lines.
    """
    stream = sys.stderr if stream is None else stream
    if enabled and _interactive(stream):
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return _Bar(tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, file=stream))
    return PlainProgress(total, desc, unit, enabled, stream, every, unit_scale, clock)


def _interactive(stream):
    """A terminal, or a notebook's output (which draws a bar's carriage returns in place)."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class PlainProgress:
    """Progress as whole lines: one every `every` seconds while it runs and one when it ends."""

    def __init__(self, total, desc, unit, enabled, stream, every, unit_scale, clock):
        self.total, self.desc, self.unit, self.enabled, self.stream = total, desc, unit, enabled, stream
        self.every, self.unit_scale, self.clock = every, unit_scale, clock
        self.n, self.postfix, self.shown = 0, {}, 0
        self.start = self.last = clock()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is None:  # after an error its own message is the last word, not a progress line
            self.close()

    def update(self, n=1):
        self.n += n
        if self.enabled and self.clock() - self.last >= self.every:
            self._line()

    def set_postfix(self, refresh=False, **values):
        self.postfix = values

    def write(self, line):
        print(line, file=sys.stdout, flush=True)

    def close(self):
        if self.enabled and (self.n or self.total) and self.shown != self.n:
            self._line()
        self.enabled = False  # closed: nothing more

    def _line(self):
        self.last, self.shown = self.clock(), self.n
        done = _amount(self.n, self.unit, self.unit_scale)
        if self.total:
            done = f"{_amount(self.n, '', self.unit_scale)}/{_amount(self.total, self.unit, self.unit_scale)} " \
                   f"({100 * self.n / self.total:.0f}%)"
        extra = "".join(f", {key}={value}" for key, value in self.postfix.items())
        prefix = f"{self.desc}: " if self.desc else ""
        print(f"{prefix}{done}, {_duration(self.last - self.start)}{extra}", file=self.stream, flush=True)


class _Bar:
    """A tqdm bar with the same few methods as PlainProgress."""

    def __init__(self, bar):
        self.bar = bar

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        self.bar.close()

    def update(self, n=1):
        self.bar.update(n)

    def set_postfix(self, refresh=False, **values):
        self.bar.set_postfix(refresh=refresh, **values)

    def write(self, line):
        self.bar.write(line, file=sys.stdout)

    def close(self):
        self.bar.close()


def _amount(n, unit, scale):
    """`n` `unit`, with an SI prefix when `scale` (1234567, "B" -> "1.2 MB")."""
    prefix = ""
    if scale:
        for bigger in ("k", "M", "G", "T"):
            if abs(n) < 1000:
                break
            n, prefix = n / 1000, bigger
    number = f"{n:.1f}" if prefix else f"{n:g}"
    return f"{number} {prefix}{unit}".strip()


def _duration(seconds):
    """90 -> "1m30s"; 3725 -> "1h02m05s"."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{seconds:02d}s"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
