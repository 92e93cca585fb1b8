"""The `tinygrad231n` command (also `python -m tinygrad231n`).

    tinygrad231n download [cifar10 | coco] [--dest DIR] [--url URL] [--md5 MD5]
    tinygrad231n reproduce [--data DIR | --sample] [--coco DIR] [--out RUN_DIR] [--only MODEL,...] [--threads N]
    tinygrad231n train MODEL [--data DIR | --sample] [--coco DIR] [--out DIR] [--params "learning_rate=1e-3 reg=0.1"]
    tinygrad231n graph MODEL [--out FILE.svg]
    tinygrad231n sweep MODEL --grid "learning_rate=1e-4,1e-3 seed=0,1,2" [--data DIR | --sample]
                       [--results FILE.jsonl] [--scheduler tcp://HOST:PORT] [--jobs N] [--threads N]
    tinygrad231n keep MODEL --results FILE.jsonl [--out FILE.json]

The models, their settings and the settings' types come from the registry (models/registry.py):
a value that does not fit its setting is refused in one line before any data is loaded.

Exit statuses:
  0  done.
  2  bad input: a wrong argument, setting, output path or data file, or a face whose extra is not
     installed, costs one line on stderr ("tinygrad231n train: error: ...") and no traceback, before
     any data is loaded or any model trained. The checks raise tinygrad231n.errors.InputError for it
     (tinygrad231n.extras.MissingExtra for a missing extra).
  1  a run that fails on the way: training diverged, out of memory, a disk that filled up (one line);
     or a bug in tinygrad231n: any other exception prints its traceback, then a line asking for a report.
  130  Ctrl-C or SIGTERM.
"""
import argparse
import contextlib
import functools
import signal
import sys
import threading
import traceback
import warnings

from tinygrad231n.errors import InputError
from tinygrad231n.extras import MissingExtra

DEFAULT_TRAIN_OUT = "runs/train"
DEFAULT_RUN_OUT = "runs/reproduce"


def main(argv=None):
    """Run the command in `argv` (default: sys.argv[1:]); returns the exit status (0, 1, 2 or 130)."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        print(_one_line(err), file=sys.stderr)
        return 2
    from tinygrad231n.threads import calm_numba_workers, reuse_freed_memory
    calm_numba_workers()  # before any parallel kernel runs (see tinygrad231n.threads)
    reuse_freed_memory()
    say = functools.partial(_say, f"tinygrad231n {args.command}")
    try:
        with _sigterm_as_ctrl_c(), _one_line_warnings(say):
            args.run(args)
    except (InputError, MissingExtra) as err:  # bad input: say what, not a traceback
        say(f"error: {err}")
        return 2
    except FloatingPointError as err:  # training diverged: say where, write nothing more
        say(f"error: {err}")
        return 1
    except MemoryError as err:  # numpy says how much it wanted: a setting too large for this machine
        say(f"error: out of memory: {err}")
        return 1
    except OSError as err:  # what the checks before the work cannot foresee: a disk that fills up
        say(f"error: {_describe_os_error(err)}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; files already written are complete")
        return 130
    except Exception:  # none of the above: a bug in tinygrad231n, not the user's mistake
        traceback.print_exc()
        say(BUG_REPORT)
        return 1
    return 0


BUG_REPORT = ("this is a bug in tinygrad231n, not a mistake in your input: please report it with the command "
              "line, the traceback above, and the versions of Python, numpy and numba (`pip list`)")


class UsageError(Exception):
    """A command line that argparse cannot parse; the message is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (argparse prints the whole usage first) pointing at --help;
    raised, not exited, so that main() returns 2 in-process as it does for every other bad input."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see `{self.prog} --help`)")


def _say(prefix, message):
    print(f"{prefix}: {_one_line(message)}", file=sys.stderr)


def _one_line(message):
    """A message whatever it held (Graphviz's stderr, a wrapped usage) as one line: a script reads it whole."""
    return " ".join(str(message).split())


@contextlib.contextmanager
def _one_line_warnings(say):
    """Warnings (a damaged line skipped in a results file) as one line each, without the source line."""
    with warnings.catch_warnings():
        warnings.showwarning = lambda message, category, *rest, **kw: say(f"warning: {message}")
        yield


def _describe_os_error(err):
    where = f"{err.filename}: " if err.filename else ""
    return f"{where}{err.strerror or err}"


@contextlib.contextmanager
def _sigterm_as_ctrl_c():
    """SIGTERM (kill, docker stop, a job scheduler) raises KeyboardInterrupt, so it cleans up as Ctrl-C does:
    temporary files removed, sweep workers stopped. Python's default would end the process on the spot."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def build_parser():
    from models import registry
    from tinygrad231n.reproduce.tasks import graph_models
    models, groups = registry.names(), registry.groups()
    parser = _Parser(prog="tinygrad231n", description="CS231n's assignments on tinygrad231n.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    download = commands.add_parser("download", help="fetch CIFAR-10 (python version) or CS231n's COCO captioning "
                                                    "files, check them, unpack them")
    download.add_argument("dataset", nargs="?", choices=("cifar10", "coco"), default="cifar10",
                          help="cifar10 (the default) or coco (CS231n's coco_captioning.zip, about 1 GB)")
    download.add_argument("--dest", help="folder to put cifar-10-batches-py or coco_captioning in "
                                         "(default: $TINYGRAD231N_DATA or ~/.cache/tinygrad231n)")
    download.add_argument("--url", help="archive URL, local path or file:// URL (default: the official one)")
    download.add_argument("--md5", help="expected md5 of the archive (default: CIFAR-10's official one; "
                                        "coco: none is published, so none is checked)")
    download.set_defaults(run=run_download)

    reproduce = commands.add_parser("reproduce", help="train every model; write results, checkpoints, report")
    _data_options(reproduce)
    _coco_option(reproduce, "the captioning models are skipped without it")
    reproduce.add_argument("--out", default=DEFAULT_RUN_OUT,
                           help=f"run folder; a run into one that holds results adds to them (default: {DEFAULT_RUN_OUT})")
    reproduce.add_argument("--only", metavar="MODEL,...",
                           help=f"comma-separated models or groups: {', '.join(groups)} (default: all)")
    _threads_option(reproduce)
    reproduce.set_defaults(run=run_reproduce)

    train = commands.add_parser("train", help="train one model with its kept hyperparameters")
    train.add_argument("model", choices=models)
    _data_options(train)
    _coco_option(train, "a captioning model needs it")
    train.add_argument("--out", default=DEFAULT_TRAIN_OUT,
                       help=f"folder for MODEL.npz and MODEL.json (default: {DEFAULT_TRAIN_OUT})")
    train.add_argument("--params", default="", help='overrides, e.g. "learning_rate=1e-3 reg=0.1 hidden_dims=[512,256]"')
    _threads_option(train)
    train.set_defaults(run=run_train)

    graph = commands.add_parser("graph", help="draw the graph of a model's loss")
    graph.add_argument("model", choices=graph_models())
    graph.add_argument("--out", help="output file, .svg/.png/.pdf (default: MODEL.svg)")
    graph.set_defaults(run=run_graph)

    sweep = commands.add_parser("sweep", help="train a grid of configurations, locally or on a Dask cluster")
    sweep.add_argument("model", choices=models)
    sweep.add_argument("--grid", required=True,
                       help='values to try, e.g. "learning_rate=1e-4,1e-3 reg=0.1,1 seed=0,1,2"; '
                            'a list value is written [512,256]')
    _data_options(sweep)
    sweep.add_argument("--results", help="JSON-lines results file (default: runs/sweep-MODEL.jsonl); "
                                         "configurations already done there are skipped")
    sweep.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    sweep.add_argument("--jobs", type=functools.partial(_positive_int, one_per_core=True), default=-1,
                       help="local processes, or -1 for one per core (the default)")
    _threads_option(sweep, "threads each configuration uses")
    sweep.set_defaults(run=run_sweep)

    keep = commands.add_parser("keep", help="make a sweep's best configuration the model's kept settings")
    keep.add_argument("model", choices=models)
    keep.add_argument("--results", required=True, help="the sweep's JSON-lines results file")
    keep.add_argument("--out", help="kept-settings file to write (default: the model's, models/kept/MODEL.json)")
    keep.set_defaults(run=run_keep)
    return parser


def _data_options(parser):
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", help="the cifar-10-batches-py folder or its parent (default: the download place)")
    source.add_argument("--sample", action="store_true", help="use the small sample shipped in the package")


def _coco_option(parser, without):
    parser.add_argument("--coco", metavar="DIR",
                        help="CS231n's coco_captioning folder, for the captioning models (default: coco_captioning "
                             f"in the data folder, where `tinygrad231n download coco` puts it; {without})")


def _threads_option(parser, what="threads BLAS and numba use"):
    parser.add_argument("--threads", type=_positive_int, help=f"{what} (default: the libraries' own choice)")


def _positive_int(text, one_per_core=False):
    """An integer >= 1 (threads, processes); with `one_per_core`, also -1, joblib's "one per core"."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1 and not (one_per_core and value == -1):
        also = ", or -1 for one per core" if one_per_core else ""
        raise argparse.ArgumentTypeError(f"must be an integer >= 1{also}, got {text!r}")
    return value


def run_download(args):
    from tinygrad231n.data import download_cifar10, download_coco
    from tinygrad231n.data.download import COCO_URL, OFFICIAL_MD5, OFFICIAL_URL
    if args.dataset == "coco":
        path = download_coco(args.dest, url=args.url or COCO_URL, md5=args.md5)
        print(f"COCO captioning is in {path}")
        return
    path = download_cifar10(args.dest, url=args.url or OFFICIAL_URL, md5=args.md5 or OFFICIAL_MD5)
    print(f"CIFAR-10 is in {path}")


def run_reproduce(args):
    from tinygrad231n.reproduce.run import reproduce
    _pin(args.threads)
    reproduce(data=args.data, sample=args.sample, out=args.out, only=args.only, coco=args.coco)


def run_train(args):
    from tinygrad231n.reproduce.run import summary
    from tinygrad231n.reproduce.tasks import train_one
    overrides = _single_values(args.params)  # train_one checks them against their types before loading data
    _pin(args.threads)
    fitted, written = train_one(args.model, args.data, args.sample, args.out, overrides, coco=args.coco)
    print(f"{args.model}: {summary(fitted)}; wrote {', '.join(written)}")


def run_graph(args):
    from tinygrad231n.reproduce.tasks import draw_graph
    print(f"wrote {draw_graph(args.model, args.out or f'{args.model}.svg')}")


def run_sweep(args):
    from models import registry
    from tinygrad231n.data import default_data_dir, find_batches_dir
    from tinygrad231n.reproduce.tasks import sweep_task
    from tinygrad231n.sweep import grid_configs, parse_grid, run_sweep as sweep, summarize
    spec = registry.get(args.model)
    _refuse_unscored(spec, "sweep")
    grid = parse_grid(args.grid)
    for name, values in grid.items():  # every value against its type, before any work
        for value in values:
            spec.check({name: value})
    configs = grid_configs(grid)
    if args.scheduler is None and not args.sample:  # missing data: one line now (a cluster's may be elsewhere)
        find_batches_dir(args.data or default_data_dir())
    if args.scheduler is None and args.threads is not None:  # now, not once per task (each limits its threads)
        from tinygrad231n.threads import check_thread_control
        check_thread_control()
    task = functools.partial(sweep_task, args.model, args.data, args.sample, threads=args.threads)
    results = args.results or f"runs/sweep-{args.model}.jsonl"
    records = sweep(task, configs, results, scheduler=args.scheduler, n_jobs=args.jobs, check=spec.config,
                    score="val_acc")
    print(summarize(records, results, key="val_acc"))


def _refuse_unscored(spec, command):
    """sweep and keep rank configurations by validation accuracy, which a captioning model does not have."""
    if spec.data != "cifar10":
        raise InputError(f"{command} ranks configurations by validation accuracy, which {spec.name} (a captioning "
                         f"model) does not have; train it with `tinygrad231n train {spec.name} --params ...`")


def run_keep(args):
    from models import registry
    from tinygrad231n.reproduce.keep import keep
    _refuse_unscored(registry.get(args.model), "keep")
    kept, path = keep(args.model, args.results, args.out)
    print(f"{args.model}: kept settings written to {path}: {kept.seen}")


def _pin(threads):
    if threads is not None:
        from tinygrad231n.threads import pin_threads
        pin_threads(threads)


def _single_values(text):
    """--params "a=1 b=x" -> {"a": 1, "b": "x"}: a grid with one value per setting."""
    from tinygrad231n.sweep import parse_grid
    grid = parse_grid(text) if text.strip() else {}
    several = [key for key, values in grid.items() if len(values) != 1]
    if several:
        raise InputError(f"--params takes one value per setting; {several} got several (use `sweep` for grids)")
    return {key: values[0] for key, values in grid.items()}


if __name__ == "__main__":
    sys.exit(main())
