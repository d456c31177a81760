"""The only code that writes to out_dir: atomic replace, unchanged files left alone."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from feedmaker.errors import WriteError


class OutputDir:
    """Writes files into one folder; each name at most once per run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self.removed: list[str] = []
        self._names: set[str] = set()

    def remove_orphans(self, names: Iterable[str]) -> list[str]:
        """Delete the temporary files a killed run left behind while writing one of `names`
        (call while holding the run lock). Only the exact pattern `write` uses is touched:
        a file of someone else's that merely ends in .tmp stays."""
        names = set(names)
        removed = []
        for path in self.path.glob(".*.tmp") if self.path.is_dir() else ():
            match = _TEMPORARY.match(path.name)
            if match and match["name"] in names and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def remove(self, name: str) -> None:
        """Delete an output file feedmaker no longer makes."""
        _check_name(name)
        try:
            (self.path / name).unlink(missing_ok=True)
        except OSError as exc:
            raise WriteError(f"{self.path / name}: cannot remove: {exc.strerror or exc}") from exc
        self.removed.append(name)

    def stamp(self, name: str) -> list[int] | None:
        """[size, mtime in ns] of an output file, or None when it is not there."""
        try:
            status = (self.path / name).stat()
        except OSError:
            return None
        return [status.st_size, status.st_mtime_ns]

    def unchanged_since(self, name: str, record: list | None, fingerprint: str) -> bool:
        """Whether `name` is still the file written from `fingerprint`, untouched since."""
        return bool(record) and record[0] == fingerprint and self.stamp(name) == record[1:]

    def holds(self, name: str, data: bytes) -> bool:
        """Whether `name` exists and holds exactly `data`."""
        path = self.path / name
        return path.is_file() and path.read_bytes() == data

    def write(self, name: str, data: bytes) -> bool:
        """Replace `name` atomically with `data`, unless it already holds exactly that.

        Readers and web servers see either the old or the new complete file, never a
        partial one; `sync` makes the renames durable. Returns whether the file was written.
        """
        _check_name(name)
        if name in self._names:
            raise WriteError(f"{name} was already written in this run")
        self._names.add(name)
        target = self.path / name
        try:
            if target.is_file() and target.read_bytes() == data:
                self.unchanged.append(name)
                return False
            self.path.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.path)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        self.written.append(name)
        return True


    def sync(self) -> None:
        """Make the renames and removals so far durable, so that a crash cannot bring an
        old file back: one sync of the folder for all the files of a run (each file's own
        bytes were synced before its rename)."""
        if not (self.written or self.removed):
            return
        try:
            _fsync_dir(self.path)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot sync: {exc.strerror or exc}") from exc


def _check_name(name: str) -> None:
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        raise WriteError(f"refusing to write {name!r}: not a plain file name")


# tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp"): eight characters of its alphabet.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable, so a crash cannot bring back the old file.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
