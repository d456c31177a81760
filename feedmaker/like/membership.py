"""Which scored papers belong to a `like` view: above a threshold, or the best N of each day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime


def select(scored: Sequence[tuple[float, date | datetime]], *, threshold: float | None = None,
           per_day: int | None = None) -> list[int]:
    """Indices of the member papers among (score, date) pairs, in the order given.

    With `threshold`, a paper needs a score of at least that; with `per_day`, only the
    `per_day` best of each day are kept (ties go to the paper given first); with both,
    the best `per_day` of those above the threshold. Datetimes count by their date.
    """
    if threshold is None and per_day is None:
        raise ValueError("a like view needs a threshold, a number of papers per day, or both")
    if per_day is not None and per_day < 1:
        raise ValueError(f"papers per day must be at least 1, got {per_day}")
    candidates = [i for i, (score, _) in enumerate(scored)
                  if threshold is None or score >= threshold]
    if per_day is None:
        return candidates
    days: dict[date, list[int]] = {}
    for i in candidates:
        moment = scored[i][1]
        day = moment.date() if isinstance(moment, datetime) else moment
        days.setdefault(day, []).append(i)
    chosen = set()
    for indices in days.values():
        chosen.update(sorted(indices, key=lambda i: -scored[i][0])[:per_day])
    return sorted(chosen)
