"""OutputDir replaces files atomically and leaves unchanged files alone."""

import os

import pytest

from feedmaker.errors import WriteError
from feedmaker.write.files import OutputDir


def test_a_new_file_is_written_and_reported(tmp_path):
    out = OutputDir(tmp_path / "feeds")
    assert out.write("a.atom", b"one")
    assert (tmp_path / "feeds" / "a.atom").read_bytes() == b"one"
    assert out.written == ["a.atom"]


def test_a_file_with_the_same_content_is_not_rewritten(tmp_path):
    path = tmp_path / "a.atom"
    path.write_bytes(b"same")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    out = OutputDir(tmp_path)
    assert not out.write("a.atom", b"same")
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert out.unchanged == ["a.atom"]


def test_a_changed_file_is_replaced_by_rename_leaving_no_temporary_files(tmp_path):
    path = tmp_path / "a.atom"
    path.write_bytes(b"old")
    inode = path.stat().st_ino
    OutputDir(tmp_path).write("a.atom", b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.atom"]


@pytest.mark.parametrize("name", ["../x.atom", "a/b.atom", ".hidden", ""])
def test_names_that_leave_the_folder_are_refused(tmp_path, name):
    with pytest.raises(WriteError, match="not a plain file name"):
        OutputDir(tmp_path).write(name, b"x")


def test_the_same_name_cannot_be_written_twice_in_one_run(tmp_path):
    out = OutputDir(tmp_path)
    out.write("a.atom", b"1")
    with pytest.raises(WriteError, match="already written"):
        out.write("a.atom", b"2")


def test_a_failed_replace_is_a_clear_error_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "a.atom").mkdir()
    (tmp_path / "a.atom" / "keep").write_bytes(b"old")
    with pytest.raises(WriteError, match="a.atom: cannot write"):
        OutputDir(tmp_path).write("a.atom", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.atom"]
    assert (tmp_path / "a.atom" / "keep").read_bytes() == b"old"


def test_an_out_dir_that_cannot_be_created_is_a_clear_error(tmp_path):
    (tmp_path / "blocker").write_bytes(b"a file where the folder should be")
    with pytest.raises(WriteError, match="cannot write"):
        OutputDir(tmp_path / "blocker" / "feeds").write("a.atom", b"new")
