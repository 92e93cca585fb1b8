"""Fetch a data set's archive, check it, and unpack it without ever leaving a half-written copy.

    download_cifar10()   # dest/cifar-10-batches-py, from the official .tar.gz (md5-checked)
    download_coco()      # dest/coco_captioning, from CS231n's coco_captioning.zip

Everything is downloaded and extracted inside a temporary folder next to the destination, checked
(md5 where one is known, safe member names, the files load), and only then moved into place with one
``os.replace``. Any failure, Ctrl-C included (and SIGTERM on the command line), removes the temporary
folder; one a SIGKILL left behind is removed by the next download into the same place (see ``leftovers``).
"""
import gzip
import hashlib
import os
import re
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tinygrad231n.data.cifar10 import BATCHES_DIR, DataError, load_cifar10
from tinygrad231n.data.coco import COCO_DIR, check_coco_folder
from tinygrad231n.data.folder import default_data_dir
from tinygrad231n.extras import require
from tinygrad231n.leftovers import hold, remove_leftovers
from tinygrad231n.paths import check_output_dir
from tinygrad231n.progress import progress as show_progress

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_MD5 = "c58f30108f718f92721af3b95e74349a"
# What the course's get_coco_dataset.sh fetches (2024, assignment 3). The course publishes no
# checksum for it; the zip's own CRCs and the checks of every file stand in for one.
COCO_URL = "https://cs231n.stanford.edu/coco_captioning.zip"
_CHUNK = 1 << 20

@dataclass(frozen=True)
class _Archive:
    """What one data set's download needs to know."""
    name: str                 # "CIFAR-10": in messages and on the progress bar
    folder: str               # the folder the archive holds, installed under that name in dest
    file: str                 # the archive's file name (.tar.gz or .zip)
    check: Callable           # (folder) -> None, DataError if what it holds does not load
    workdir_prefix: str       # of the temporary folder in dest; what a killed download left is removed


_CIFAR10 = _Archive("CIFAR-10", BATCHES_DIR, "cifar-10-python.tar.gz", load_cifar10, ".cifar10-download-")
_COCO = _Archive("COCO captioning", COCO_DIR, "coco_captioning.zip", check_coco_folder, ".coco-download-")


def download_cifar10(dest=None, url=OFFICIAL_URL, md5=OFFICIAL_MD5, progress=True):
    """Download and unpack CIFAR-10 into ``dest`` (default: default_data_dir()); returns the
    ``dest/cifar-10-batches-py`` folder.

    ``url`` may be an http(s) or ``file://`` URL or a local path. ``md5`` is the archive's expected
    md5 hex digest (None skips the check). Does nothing if the folder already exists and loads.
    Raises DataError (an md5 that is not 32 hex digits, before downloading anything; wrong md5,
    truncated or unsafe archive, archive without the batches), or OutputPathError (a ValueError) when
    ``dest`` cannot be written, before downloading anything.
    """
    return _download(_CIFAR10, dest, url, md5, progress)


def download_coco(dest=None, url=COCO_URL, md5=None, progress=True):
    """Download and unpack CS231n's COCO captioning files (about 1 GB) into ``dest`` (default:
    default_data_dir()); returns the ``dest/coco_captioning`` folder, where load_coco_data() looks.

    As download_cifar10, for the course's .zip, whose files sit in its folder ``coco_captioning/``.
    ``md5`` None (the default: the course publishes none) skips that check; every file is checked
    as load_coco_data would read it, both kinds of features included, before anything is installed.
    """
    require("h5py", extra="coco", needed_for="checking the COCO captioning download")  # before 1 GB, not after
    return _download(_COCO, dest, url, md5, progress)


def _download(kind, dest, url, md5, progress):
    if md5 is not None and not (isinstance(md5, str) and re.fullmatch(r"[0-9a-fA-F]{32}", md5)):
        raise DataError(f"md5 must be the archive's md5 digest, 32 hexadecimal digits, got {md5!r}")
    dest = Path(dest).expanduser() if dest is not None else default_data_dir()
    target = dest / kind.folder
    if _loads(kind, target):
        return target
    check_output_dir(dest, what="destination")  # one line now, not a traceback from mkdir
    dest.mkdir(parents=True, exist_ok=True)
    remove_leftovers(dest, lambda name: name.startswith(kind.workdir_prefix))  # what killed downloads left
    # Same filesystem as the target, so the final os.replace is a rename, not a copy.
    workdir = Path(tempfile.mkdtemp(prefix=kind.workdir_prefix, dir=dest))
    in_use = hold(workdir)  # a concurrent download's cleanup must leave it alone
    try:
        archive = workdir / kind.file
        _fetch(url, archive, progress, kind.name)
        _check_md5(archive, md5, url, kind.name)
        unpack = _safe_unzip if kind.file.endswith(".zip") else _safe_extract
        unpack(archive, workdir / "extracted", url)
        fresh = workdir / "extracted" / kind.folder
        _check_loads(kind, fresh, url)
        if target.exists():  # an earlier, broken copy: move it aside so the cleanup below deletes it
            os.replace(target, workdir / "broken")
        os.replace(fresh, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        os.close(in_use)
    return target


def _loads(kind, folder):
    if not folder.is_dir():
        return False
    try:
        kind.check(folder)
    except DataError:
        return False
    return True


def _check_loads(kind, fresh, url):
    """Raise DataError naming the archive member that does not load. Its temporary copy is deleted
    on the way out, so the error names the member, with no advice to delete it."""
    try:
        kind.check(fresh)
    except DataError as err:
        member = err.problem.replace(str(fresh.parent) + os.sep, "")
        raise DataError(f"{url}: the archive does not hold a valid {kind.name} ({member}); "
                        "nothing was installed") from err


def _as_url(url):
    """Local paths become file:// URLs; anything else is passed to urllib as it is."""
    if os.path.exists(url) or not urllib.parse.urlparse(str(url)).scheme:
        return Path(url).resolve().as_uri()
    return str(url)


def _fetch(url, path, progress, name):
    """Copy ``url`` to ``path`` with a progress bar; raises DataError if it fails or stops short."""
    written, total = 0, None
    try:
        with urllib.request.urlopen(_as_url(url), timeout=60) as response, open(path, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with show_progress(total=total, unit="B", unit_scale=True, desc=name, enabled=progress) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as err:  # ValueError: "unknown url type"
        reason = getattr(err, "reason", err)
        raise DataError(f"could not download {url}: {reason}") from err
    if total is not None and written != total:
        raise DataError(f"download of {url} stopped after {written} of {total} bytes; try again")


def _check_md5(path, expected, url, name):
    if expected is None:
        return
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != expected.lower():
        raise DataError(f"{url}: md5 mismatch, expected {expected} but got {digest.hexdigest()}; "
                        f"the download is corrupt or is not the official {name} archive")


def _check_member(member, url):
    """Only plain files and folders, at relative paths that stay inside the extraction folder."""
    parts = PurePosixPath(member.name).parts
    if member.name.startswith(("/", "\\")) or ".." in parts or not (member.isfile() or member.isdir()):
        raise DataError(f"{url}: refusing to extract {member.name!r}; expected only plain files and "
                        "folders at relative paths without '..'")


def _safe_extract(archive, out, url):
    # filter="data" (Python >= 3.12 and recent patch releases) repeats our checks inside tarfile.
    extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()  # reads to the end, so a truncated archive fails here
            for member in members:
                _check_member(member, url)
            tar.extractall(out, members=members, **extra)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataError(f"{url}: the archive is truncated or not a .tar.gz ({type(err).__name__}: {err})") from err


def _safe_unzip(archive, out, url):
    """Extract a .zip after checking its members as _check_member does; the CRC of every member is
    checked as it is read, so a corrupt archive fails here too."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            for member in members:
                _check_zip_member(member, url)
            zipped.extractall(out, members=members)
    except (zipfile.BadZipFile, EOFError, zlib.error) as err:
        raise DataError(f"{url}: the archive is truncated or not a .zip ({type(err).__name__}: {err})") from err


def _check_zip_member(member, url):
    parts = PurePosixPath(member.filename).parts
    mode = member.external_attr >> 16  # the Unix mode, where a Unix zip wrote one
    special = mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))  # a symlink, device, pipe
    if member.filename.startswith(("/", "\\")) or ".." in parts or special:
        raise DataError(f"{url}: refusing to extract {member.filename!r}; expected only plain files and "
                        "folders at relative paths without '..'")
