"""OutputDir replaces files atomically and leaves unchanged files alone."""

import os

import pytest

from feedmaker.errors import ClashError, WriteError
from feedmaker.write.files import OutputDir, sha256


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


def test_a_file_feedmaker_did_not_write_is_a_clash_and_its_own_files_are_not(tmp_path):
    (tmp_path / "about.html").write_text("<p>my page</p>")
    (tmp_path / "vision.atom").write_bytes(b"old")
    (tmp_path / "all.atom").write_bytes(
        b'<feed><generator uri="https://github.com/feedmaker/feedmaker">feedmaker</generator>')
    out = OutputDir(tmp_path, {"vision.atom": None})
    assert out.clashes(["about.html", "vision.atom", "all.atom", "new.atom"]) == ["about.html"]
    with pytest.raises(ClashError, match=r"about\.html: not written by feedmaker"):
        out.check_clashes(["vision.atom", "about.html"])


def test_only_a_file_feedmaker_wrote_and_nobody_changed_may_be_removed(tmp_path):
    (tmp_path / "kept.atom").write_bytes(b"as written")
    (tmp_path / "edited.atom").write_bytes(b"changed by hand")
    (tmp_path / "mine.html").write_bytes(b"<p>mine</p>")
    (tmp_path / "old.html").write_bytes(b'<meta name="generator" content="feedmaker 0.1.0">')
    out = OutputDir(tmp_path, {"kept.atom": sha256(b"as written"),
                               "edited.atom": sha256(b"as written"), "old.html": None})
    assert [n for n in ("kept.atom", "edited.atom", "mine.html", "old.html")
            if out.removable(n)] == ["kept.atom", "old.html"]


def test_only_feedmakers_own_temporary_files_are_cleaned_up(tmp_path):
    out = OutputDir(tmp_path)
    out.write("index.html", b"x")
    (tmp_path / ".index.html.feedmaker-ab12cd34.tmp").write_bytes(b"half")
    (tmp_path / ".index.html.mybackup.tmp").write_bytes(b"a user's")
    assert out.remove_orphans() == [".index.html.feedmaker-ab12cd34.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".index.html.mybackup.tmp",
                                                           "index.html"]


def test_a_folder_that_cannot_be_looked_at_is_a_write_error_naming_it(tmp_path):
    # A name longer than the system allows fails as a folder this user may not search does.
    out = OutputDir(tmp_path / ("x" * 300) / "feeds")
    with pytest.raises(WriteError, match=r"feeds: cannot write: File name too long"):
        out.remove_orphans()
