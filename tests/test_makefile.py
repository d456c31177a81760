"""`make clean` in a fresh clone: it works, removes build products, and keeps a run history."""

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).parent.parent


def fresh_clone(into: Path) -> Path:
    """The repository's tracked files as they are now, and nothing else."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, into / name)
    return into


def make_clean(clone: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "clean"], cwd=clone,
                          capture_output=True, text=True)


def test_make_clean_works_in_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path)
    result = make_clean(clone)
    assert result.returncode == 0, result.stderr


def test_make_clean_removes_build_products_and_the_demos_state_but_keeps_a_run_history(
        tmp_path):
    clone = fresh_clone(tmp_path)
    built = [".venv/bin/python", "build/index.png", "feedmaker.egg-info/PKG-INFO",
             ".pytest_cache/v", ".ruff_cache/x", ".hypothesis/x",
             "feedmaker/__pycache__/cli.cpython-311.pyc", "tests/__pycache__/x.pyc",
             ".feedmaker/demo.sqlite", ".feedmaker/demo.sqlite.lock"]
    kept = [".feedmaker/state.sqlite", ".feedmaker/state.sqlite.lock", "feeds/all.atom",
            "feedmaker.toml"]
    for name in built + kept:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text("x")
    result = make_clean(clone)
    assert result.returncode == 0, result.stderr
    assert [name for name in built if (clone / name).exists()] == []
    assert [name for name in kept if not (clone / name).exists()] == []
    assert (clone / "feedmaker" / "cli.py").is_file()
