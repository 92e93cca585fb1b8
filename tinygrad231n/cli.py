"""The `tinygrad231n` command (also `python -m tinygrad231n`).

    tinygrad231n download [--dest DIR] [--url URL] [--md5 MD5]
    tinygrad231n reproduce [--data DIR | --sample] [--out RUN_DIR] [--only knn,svm,...]
    tinygrad231n train MODEL [--data DIR | --sample] [--out DIR] [--params "lr=1e-3 reg=0.1"]
    tinygrad231n graph MODEL [--out FILE.svg]
    tinygrad231n sweep MODEL --grid "lr=1e-4,1e-3 reg=0.1,1" [--data DIR | --sample] [--results FILE.jsonl]
                       [--scheduler tcp://HOST:PORT] [--jobs N]
"""
import argparse
import contextlib
import functools
import signal
import sys
import threading

MODELS = ("knn", "svm", "softmax", "twolayer", "fcnet", "features_svm", "features_net")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_ctrl_c():
            args.run(args)
    except (ValueError, FileNotFoundError, RuntimeError) as err:  # bad input: say what, not a traceback
        print(f"tinygrad231n {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tinygrad231n {args.command}: interrupted; files already written are complete", file=sys.stderr)
        return 130
    return 0


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
    parser = argparse.ArgumentParser(prog="tinygrad231n", description="CS231n assignment 1 on tinygrad231n.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    download = commands.add_parser("download", help="fetch CIFAR-10 (python version), check its md5, unpack it")
    download.add_argument("--dest", help="folder to put cifar-10-batches-py in (default: $TINYGRAD231N_DATA "
                                         "or ~/.cache/tinygrad231n)")
    download.add_argument("--url", help="archive URL, local path or file:// URL (default: the official one)")
    download.add_argument("--md5", help="expected md5 of the archive (default: the official archive's)")
    download.set_defaults(run=run_download)

    reproduce = commands.add_parser("reproduce", help="train every classifier; write results, checkpoints, report")
    _data_options(reproduce)
    reproduce.add_argument("--out", default="runs/reproduce", help="run folder (default: runs/reproduce)")
    reproduce.add_argument("--only", help="comma-separated subset of knn,svm,softmax,twolayer,fcnet,features")
    reproduce.set_defaults(run=run_reproduce)

    train = commands.add_parser("train", help="train one model with its kept hyperparameters")
    train.add_argument("model", choices=MODELS)
    _data_options(train)
    train.add_argument("--out", default="runs/train", help="folder for MODEL.npz and MODEL.json")
    train.add_argument("--params", default="", help='overrides, e.g. "learning_rate=1e-3 reg=0.1"')
    train.set_defaults(run=run_train)

    graph = commands.add_parser("graph", help="draw the graph of a model's loss (needs Graphviz)")
    graph.add_argument("model", choices=MODELS[1:])
    graph.add_argument("--out", help="output file, .svg/.png/.pdf (default: MODEL.svg)")
    graph.set_defaults(run=run_graph)

    sweep = commands.add_parser("sweep", help="train a grid of configurations, locally or on a Dask cluster")
    sweep.add_argument("model", choices=MODELS[1:])
    sweep.add_argument("--grid", required=True, help='values to try, e.g. "learning_rate=1e-4,1e-3 reg=0.1,1"')
    _data_options(sweep)
    sweep.add_argument("--results", help="JSON-lines results file (default: runs/sweep-MODEL.jsonl); "
                                         "configurations already done there are skipped")
    sweep.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    sweep.add_argument("--jobs", type=int, default=-1, help="local processes (default: one per core)")
    sweep.set_defaults(run=run_sweep)
    return parser


def _data_options(parser):
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", help="the cifar-10-batches-py folder or its parent (default: the download place)")
    source.add_argument("--sample", action="store_true", help="use the small sample shipped in the package")


def run_download(args):
    from tinygrad231n.data import download_cifar10
    from tinygrad231n.data.download import OFFICIAL_MD5, OFFICIAL_URL
    path = download_cifar10(args.dest, url=args.url or OFFICIAL_URL, md5=args.md5 or OFFICIAL_MD5)
    print(f"CIFAR-10 is in {path}")


def run_reproduce(args):
    from tinygrad231n.reproduce.run import reproduce
    reproduce(data=args.data, sample=args.sample, out=args.out, only=args.only)


def run_train(args):
    from tinygrad231n.reproduce.tasks import train_one
    fitted = train_one(args.model, args.data, args.sample, args.out, _single_values(args.params))
    print(f"{args.model}: val {fitted.val_acc:.3f}, test {fitted.test_acc:.3f}; wrote {args.out}/{args.model}.json")


def run_graph(args):
    from tinygrad231n.reproduce.tasks import draw_graph
    print(f"wrote {draw_graph(args.model, args.out or f'{args.model}.svg')}")


def run_sweep(args):
    from tinygrad231n.data import default_data_dir, find_batches_dir
    from tinygrad231n.reproduce.config import kept_config
    from tinygrad231n.reproduce.tasks import sweep_task
    from tinygrad231n.sweep import grid_configs, parse_grid, run_sweep as sweep, summarize
    configs = grid_configs(parse_grid(args.grid))
    if args.scheduler is None and not args.sample:  # missing data: one line now (a cluster's may be elsewhere)
        find_batches_dir(args.data or default_data_dir())
    task = functools.partial(sweep_task, args.model, args.data, args.sample)
    results = args.results or f"runs/sweep-{args.model}.jsonl"
    records = sweep(task, configs, results, scheduler=args.scheduler, n_jobs=args.jobs,
                    check=functools.partial(kept_config, args.model), score="val_acc")
    print(summarize(records, results, key="val_acc"))


def _single_values(text):
    """--params "a=1 b=x" -> {"a": 1, "b": "x"}: a grid with one value per setting."""
    from tinygrad231n.sweep import parse_grid
    grid = parse_grid(text) if text.strip() else {}
    several = [key for key, values in grid.items() if len(values) != 1]
    if several:
        raise ValueError(f"--params takes one value per setting; {several} got several (use `sweep` for grids)")
    return {key: values[0] for key, values in grid.items()}


if __name__ == "__main__":
    sys.exit(main())
