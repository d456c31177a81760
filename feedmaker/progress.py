"""A log line that also says how far a long step has come, for a progress bar to show."""

from __future__ import annotations


class Progress(str):
    """A log message (`str(progress)`) with `done` of `total` steps of `stage` behind it."""

    stage: str
    done: int
    total: int

    def __new__(cls, stage: str, done: int, total: int) -> Progress:
        line = super().__new__(cls, f"{stage}: {done / total:.0%}" if total else stage)
        line.stage, line.done, line.total = stage, done, total
        return line
