"""Output paths are checked before any work: one line naming the path and the problem, nothing left behind."""
import os

import pytest

from tinygrad231n.paths import OutputPathError, check_output_dir, check_output_file


def test_writable_places_pass_and_create_nothing(tmp_path):
    (tmp_path / "old.jsonl").write_text("{}\n")
    assert check_output_dir(tmp_path) == tmp_path
    assert check_output_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert check_output_file(tmp_path / "old.jsonl") == tmp_path / "old.jsonl"
    assert check_output_file(tmp_path / "new" / "sweep.jsonl") == tmp_path / "new" / "sweep.jsonl"
    assert sorted(os.listdir(tmp_path)) == ["old.jsonl"] and (tmp_path / "old.jsonl").read_text() == "{}\n"


@pytest.mark.parametrize("check, make, expected", [
    (check_output_dir, lambda t: t / "a-file", "is a file, not a folder"),
    (check_output_dir, lambda t: t / "a-file" / "run", "a-file is a file, so nothing can be created under it"),
    (check_output_file, lambda t: t, "is an existing folder; give a file path"),
    (check_output_file, lambda t: t / "a-file" / "sweep.jsonl", "a-file is a file, so nothing can be created"),
    (check_output_file, lambda t: t / "a-file" / "x" / "sweep.jsonl", "a-file is a file, so nothing can be"),
])
def test_files_in_the_way_are_named_in_one_line(tmp_path, check, make, expected):
    (tmp_path / "a-file").write_text("not a folder")
    path = make(tmp_path)
    with pytest.raises(OutputPathError, match=expected) as error:
        check(path, what="--out")
    message = str(error.value)
    assert message.startswith(f"--out {path}: ") and "\n" not in message
    assert isinstance(error.value, ValueError)  # the command line prints ValueErrors as one line


@pytest.mark.parametrize("check, below", [
    (check_output_dir, ""), (check_output_dir, "new/run"), (check_output_file, "sweep.jsonl"),
    (check_output_file, "new/sweep.jsonl"),
])
def test_an_unwritable_place_is_named(unwritable, check, below):
    path = os.path.join(unwritable, below)
    with pytest.raises(OutputPathError, match="cannot write there") as error:
        check(path, what="--results")
    assert str(error.value).startswith(f"--results {os.path.normpath(path)}: ")
    assert "\n" not in str(error.value)


def test_a_device_is_not_an_output_file():
    with pytest.raises(OutputPathError, match="is not a regular file"):
        check_output_file(os.devnull)


# --- where the commands use them ------------------------------------------------------------------

def test_download_names_a_destination_it_cannot_use_before_fetching(tmp_path, capsys, unwritable):
    from tinygrad231n import cli

    (tmp_path / "a-file").write_text("")
    missing = str(tmp_path / "no-such-archive.tar.gz")  # fetching it would fail: the check must come first
    for dest, problem in [(tmp_path / "a-file", "is a file, not a folder"),
                          (os.path.join(unwritable, "cifar"), "cannot write there")]:
        assert cli.main(["download", "--dest", str(dest), "--url", missing, "--md5", "0" * 32]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"tinygrad231n download: error: destination {dest}: {problem}") and err.count("\n") == 1
