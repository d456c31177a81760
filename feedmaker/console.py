"""How `feedmaker run` shows a run on a terminal: its steps at -v, and how far its long
stages are (a progress bar for a person watching, a line at each tenth at -v)."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator

import click

from feedmaker.errors import printable


class StepLines(logging.Handler):
    """What `run -v` prints of each step the run tells its logger: the line, on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(printable(record.getMessage()), err=True)


@contextlib.contextmanager
def steps_told(verbose: bool) -> Iterator[None]:
    """With `verbose`, each step of the run (the `feedmaker` logger's INFO) on stderr."""
    logger = logging.getLogger("feedmaker")
    if not verbose:
        yield
        return
    handler, level = StepLines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class Progress:
    """How far each long stage of a run is (reading sources, tagging a backfill, reading a
    big library): a progress bar on stderr (`bar`), or a line at each tenth (`lines`, for
    -v), or nothing. Called as `(stage, done, total)`."""

    def __init__(self, bar: bool, lines: bool) -> None:
        self.show, self.lines = bar, lines
        self.stage: str | None = None
        self.bar = None
        self.told = -1  # the last tenth told as a line
        self.lock = threading.Lock()  # sources on different hosts finish in other threads

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self._finish()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not (self.show or self.lines):
            return
        with self.lock:
            if stage != self.stage:
                self._finish()
                self.stage, self.told = stage, -1
                if self.show:
                    self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
                    self.bar.__enter__()
            if self.bar is not None:
                self.bar.update(done - self.bar.pos)
            elif total and done * 10 // total > self.told:
                self.told = done * 10 // total
                click.echo(printable(f"{stage}: {done / total:.0%}"), err=True)

    def _finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
