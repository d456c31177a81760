"""What the store remembers of the attempts of each source and view: their health."""

from datetime import UTC, datetime

import pytest

from feedmaker.store import Store

T0 = datetime(2026, 5, 18, 12, tzinfo=UTC)


@pytest.fixture
def sources(tmp_path):
    with Store(tmp_path / "state.sqlite", T0) as store:
        yield store.source_health


def test_an_attempt_that_answered_is_a_success_and_keeps_the_last_count(sources):
    sources.record("hf", "2026-05-18T12:00:00Z", entries=50)
    sources.record("hf", "2026-05-18T13:00:00Z")  # "not modified"
    status = sources.status()["hf"]
    assert (status.last_attempt, status.last_success) == ("2026-05-18T13:00:00Z",) * 2
    assert (status.failing_since, status.last_error, status.entries_seen) == (None, None, 50)


def test_failures_keep_the_last_success_and_the_time_they_began(sources):
    sources.record("hf", "2026-05-18T12:00:00Z", entries=50)
    sources.record("hf", "2026-05-18T13:00:00Z", error="HTTP 503")
    sources.record("hf", "2026-05-18T14:00:00Z", error="timed out")
    status = sources.status()["hf"]
    assert status.last_attempt == "2026-05-18T14:00:00Z"
    assert status.last_success == "2026-05-18T12:00:00Z"
    assert (status.failing_since, status.last_error) == ("2026-05-18T13:00:00Z", "timed out")
    sources.record("hf", "2026-05-18T15:00:00Z", entries=51)
    status = sources.status()["hf"]
    assert (status.failing_since, status.last_error, status.entries_seen) == (None, None, 51)


def test_a_source_that_never_answered_has_no_success(sources):
    sources.record("new", "2026-05-18T12:00:00Z", error="connection refused")
    status = sources.status()["new"]
    assert (status.last_success, status.failing_since) == (None, "2026-05-18T12:00:00Z")


def test_a_views_health_is_its_own_beside_a_source_of_the_same_name(tmp_path):
    with Store(tmp_path / "state.sqlite", T0) as store:
        store.source_health.record("popular", "2026-05-18T12:00:00Z", entries=5)
        store.view_health.record("popular", "2026-05-18T12:00:00Z", error="view 'popular': x")
        assert store.source_health.status()["popular"].last_error is None
        assert store.view_health.status()["popular"].last_error == "view 'popular': x"
