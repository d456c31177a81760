"""Members of a like view: by threshold, by the best N per day, or both."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from feedmaker.like.membership import select

DAY1, DAY2 = date(2026, 5, 17), date(2026, 5, 18)
SCORED = [(0.5, DAY1), (-0.2, DAY1), (0.9, DAY2), (0.1, DAY1), (0.3, DAY2), (-1.0, DAY2)]


def test_a_threshold_keeps_every_paper_scoring_at_least_that():
    assert select(SCORED, threshold=0.1) == [0, 2, 3, 4]


def test_per_day_keeps_each_days_best_in_the_order_given():
    assert select(SCORED, per_day=1) == [0, 2]
    assert select(SCORED, per_day=2) == [0, 2, 3, 4]


def test_threshold_and_per_day_together_keep_the_best_above_the_threshold():
    assert select(SCORED, threshold=0.4, per_day=2) == [0, 2]


def test_ties_go_to_the_paper_given_first_and_datetimes_count_by_their_date():
    scored = [(0.5, datetime(2026, 5, 18, 1, tzinfo=UTC)),
              (0.5, datetime(2026, 5, 18, 23, tzinfo=UTC)),
              (0.5, datetime(2026, 5, 19, 0, tzinfo=UTC))]
    assert select(scored, per_day=1) == [0, 2]


def test_nothing_to_choose_from_is_an_empty_view():
    assert select([], per_day=3) == []


@pytest.mark.parametrize("kwargs", [{}, {"per_day": 0}])
def test_a_view_without_a_rule_or_with_zero_per_day_is_refused(kwargs):
    with pytest.raises(ValueError):
        select(SCORED, **kwargs)
