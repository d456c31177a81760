"""The fetcher against a real local HTTP server: retries, give-up, 304, size cap, spacing,
deadlines."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug import Response as WerkzeugResponse

from feedmaker import __version__
from feedmaker.errors import FetchError
from feedmaker.fetch import Fetcher, NotModified, Validators, body_hash, interval_for

from .faulty_server import FaultyServer


def fast_fetcher(**kwargs):
    kwargs.setdefault("backoff", 0)
    return Fetcher(timeout=(2, 2), **kwargs)


def test_every_request_names_feedmaker_its_version_and_project_url(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    fast_fetcher()(httpserver.url_for("/x"), min_interval=0)
    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert user_agent.startswith(f"feedmaker/{__version__} (+https://")


def test_a_503_with_retry_after_is_retried_after_the_time_it_asks_for(httpserver, monkeypatch):
    import urllib3.util.retry

    slept = []  # urllib3's own sleep, recorded instead of waited: no clock in the assertion
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", slept.append)
    httpserver.expect_ordered_request("/busy").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/busy").respond_with_data("ok")
    response = fast_fetcher()(httpserver.url_for("/busy"), min_interval=0)
    assert response.body == b"ok"
    assert len(httpserver.log) == 2
    assert slept == [7.0]  # what the server asked for, although backoff is 0


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(httpserver, status):
    httpserver.expect_ordered_request("/flaky").respond_with_data("no", status=status)
    httpserver.expect_ordered_request("/flaky").respond_with_data("yes")
    assert fast_fetcher()(httpserver.url_for("/flaky"), min_interval=0).body == b"yes"


def test_after_the_retry_budget_the_error_names_the_url_and_the_last_status(httpserver):
    httpserver.expect_request("/down").respond_with_data("down", status=502)
    url = httpserver.url_for("/down")
    with pytest.raises(FetchError) as caught:
        fast_fetcher(retries=2)(url, min_interval=0)
    assert str(caught.value) == f"{url}: HTTP 502 BAD GATEWAY, still failing after 2 retries"
    assert len(httpserver.log) == 3  # the first try and two retries


@pytest.mark.parametrize("status", [404, 406, 410])
def test_permanent_errors_are_not_retried(httpserver, status):
    httpserver.expect_request("/gone").respond_with_data("x", status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        fast_fetcher()(httpserver.url_for("/gone"), min_interval=0)
    assert len(httpserver.log) == 1


def test_a_stored_etag_is_sent_and_a_304_means_not_modified(httpserver):
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    with pytest.raises(NotModified):
        fast_fetcher()(httpserver.url_for("/feed"), min_interval=0,
                       validators=Validators(etag='"v1"'))


def test_a_stored_last_modified_is_sent_as_if_modified_since(httpserver):
    stamp = "Mon, 18 May 2026 04:00:00 GMT"
    httpserver.expect_request("/feed", headers={"If-Modified-Since": stamp}).respond_with_data(
        "", status=304)
    with pytest.raises(NotModified):
        fast_fetcher()(httpserver.url_for("/feed"), min_interval=0,
                       validators=Validators(last_modified=stamp))


def test_the_same_bytes_as_last_time_count_as_not_modified(httpserver):
    httpserver.expect_request("/feed").respond_with_data("same")
    with pytest.raises(NotModified):
        fast_fetcher()(httpserver.url_for("/feed"), min_interval=0,
                       validators=Validators(body_hash=body_hash(b"same")))


def test_a_response_carries_the_validators_for_next_time(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        "new", headers={"ETag": '"v2"', "Last-Modified": "Tue, 19 May 2026 04:00:00 GMT"})
    response = fast_fetcher()(httpserver.url_for("/feed"), min_interval=0,
                              validators=Validators(etag='"v1"', body_hash=body_hash(b"old")))
    assert response.body == b"new"
    assert response.validators == Validators('"v2"', "Tue, 19 May 2026 04:00:00 GMT",
                                             body_hash(b"new"))


def test_validators_are_found_whatever_the_case_of_the_header_names(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        "new", headers={"etag": '"v3"', "last-modified": "Tue, 19 May 2026 04:00:00 GMT"})
    response = fast_fetcher()(httpserver.url_for("/feed"), min_interval=0)
    assert response.validators == Validators('"v3"', "Tue, 19 May 2026 04:00:00 GMT",
                                             body_hash(b"new"))
    assert response.headers["etag"] == '"v3"'


def test_a_declared_length_over_the_cap_is_refused_before_reading(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 2000)
    with pytest.raises(FetchError, match="2000 bytes exceeds the 1000-byte limit"):
        fast_fetcher(max_bytes=1000)(httpserver.url_for("/big"), min_interval=0)


def test_a_streamed_body_over_the_cap_is_cut_off_while_reading(httpserver):
    def chunks():
        for _ in range(100):
            yield b"y" * 1000

    httpserver.expect_request("/stream").respond_with_response(
        WerkzeugResponse(chunks(), direct_passthrough=True))  # chunked: no Content-Length
    with pytest.raises(FetchError, match="response exceeds the 5000-byte limit"):
        fast_fetcher(max_bytes=5000)(httpserver.url_for("/stream"), min_interval=0)


def test_requests_to_one_host_are_spaced_by_its_interval():
    clock, sleeps = [100.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    fetcher = Fetcher(clock=lambda: clock[0], sleep=sleep)
    # No network: only the spacing is under test.
    fetcher._get = lambda url, validators, deadline: None
    fetcher("https://export.arxiv.org/api/query?a", validators=None)
    clock[0] += 1.0
    fetcher("https://export.arxiv.org/api/query?b", validators=None)
    fetcher("https://huggingface.co/api/daily_papers", validators=None)
    fetcher("https://export.arxiv.org/api/query?c", validators=None)
    assert sleeps == [2.0, 3.0]  # 3 s after the first, less the 1 s that passed; then 3 s


def test_spacing_holds_for_real_requests_to_one_server(httpserver):
    clock, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    httpserver.expect_request("/page").respond_with_data("ok")
    fetcher = Fetcher(backoff=0, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        fetcher(httpserver.url_for("/page"), min_interval=0.3)
    assert len(httpserver.log) == 3
    assert sleeps == [0.3, 0.3]


def test_arxiv_hosts_ask_for_three_seconds_and_others_get_one():
    assert interval_for("https://export.arxiv.org/api/query?x") == 3.0
    assert interval_for("https://rss.arxiv.org/rss/cs.CL") == 3.0
    assert interval_for("https://huggingface.co/api/daily_papers") == 1.0


def test_file_urls_are_read_and_capped(tmp_path):
    page = tmp_path / "page.json"
    page.write_bytes(b"[]")
    assert fast_fetcher()(page.as_uri()).body == b"[]"
    page.write_bytes(b"x" * 50)
    with pytest.raises(FetchError, match="50 bytes exceeds the 10-byte limit"):
        fast_fetcher(max_bytes=10)(page.as_uri())


def test_a_missing_file_names_the_url(tmp_path):
    url = (tmp_path / "nope.json").as_uri()
    with pytest.raises(FetchError, match=f"^{url}: No such file"):
        fast_fetcher()(url)


def test_a_connection_refused_names_the_url():
    with pytest.raises(FetchError, match=r"^http://127\.0\.0\.1:9/x: "):
        fast_fetcher(retries=0)("http://127.0.0.1:9/x", min_interval=0)


@pytest.fixture
def faulty():
    server = FaultyServer(b"hello")
    yield server
    server.close()


@pytest.mark.parametrize("location", ["http://[::1", "http://" + "a" * 300 + ".org/"])
def test_a_redirect_to_an_address_that_cannot_be_read_names_the_url(faulty, location):
    faulty.mode = f"redirect:{location}"
    with pytest.raises(FetchError) as raised:
        fast_fetcher(retries=0)(faulty.url(), min_interval=0)
    assert str(raised.value) == f"{faulty.url()}: redirected to an address that cannot be read"


@pytest.mark.parametrize("length", ["\u00b2", "abc"])
def test_a_content_length_that_is_no_number_is_no_redirect_error(faulty, length):
    faulty.mode = f"length:{length}"
    assert fast_fetcher(retries=0)(faulty.url(), min_interval=0).body == b"hello"


def test_a_content_length_of_thousands_of_digits_is_over_the_cap(faulty):
    faulty.mode = "length:" + "9" * 5000
    with pytest.raises(FetchError) as raised:
        fast_fetcher(retries=0)(faulty.url(), min_interval=0)
    assert str(raised.value) == (f"{faulty.url()}: response of 99999999999999999999… bytes "
                                 "exceeds the 20971520-byte limit")


@pytest.fixture
def slow_server():
    server = FaultyServer(b"x" * 100, content_type="text/plain")
    server.trickle_interval = 0.2  # 20 s for the whole body: far past any deadline here
    yield server
    server.close()


@pytest.mark.parametrize("mode", ["trickle", "trickle-head"])
def test_a_trickling_answer_fails_at_the_deadline_and_the_connection_is_dropped(
        slow_server, mode):
    slow_server.mode = mode
    url = slow_server.url("/slow")
    with pytest.raises(FetchError) as caught:
        Fetcher(deadline=1, backoff=0)(url, min_interval=0)
    assert str(caught.value) == f"{url}: no complete answer within 1 s"
    assert slow_server.hung_up.wait(10)  # the request's thread let go of the socket too
    assert slow_server.trickled < 40
    assert slow_server.requests == 1


@pytest.mark.parametrize(("retry_after", "when"), [
    ("3600", "in 3600 s"),
    ("Wed, 21 Oct 2099 07:28:00 GMT", "at Wed, 21 Oct 2099 07:28:00 GMT"),
])
def test_a_retry_after_beyond_the_deadline_is_not_waited_and_the_error_says_when(
        monkeypatch, faulty, retry_after, when):
    import time

    import urllib3.util.retry

    slept = []  # urllib3's clock, with its sleep recorded instead of waited
    monkeypatch.setattr(urllib3.util.retry, "time", SimpleNamespace(time=time.time,
                                                                     sleep=slept.append))
    faulty.mode = f"status:503:retry-after={retry_after}"
    with pytest.raises(FetchError) as caught:
        Fetcher(backoff=0)(faulty.url(), min_interval=0)
    assert str(caught.value) == (f"{faulty.url()}: HTTP 503 Service Unavailable; the server "
                                 f"asks to be retried {when}, after this request's deadline")
    assert (faulty.requests, slept) == (1, [])


def test_giving_up_on_a_status_with_retry_after_says_when_the_server_asked_to_be_retried(
        httpserver):
    httpserver.expect_request("/busy").respond_with_data("no", status=429,
                                                         headers={"Retry-After": "0"})
    url = httpserver.url_for("/busy")
    with pytest.raises(FetchError) as caught:
        fast_fetcher(retries=1)(url, min_interval=0)
    assert str(caught.value) == (f"{url}: HTTP 429 TOO MANY REQUESTS, still failing after "
                                 "1 retry; the server asks to be retried in 0 s")


def test_once_the_run_deadline_has_passed_no_request_is_made(httpserver):
    clock = [1000.0]
    httpserver.expect_request("/x").respond_with_data("ok")
    fetcher = Fetcher(run_timeout=600, clock=lambda: clock[0], backoff=0)
    assert fetcher(httpserver.url_for("/x"), min_interval=0).body == b"ok"
    clock[0] += 600
    with pytest.raises(FetchError) as caught:
        fetcher(httpserver.url_for("/x"), min_interval=0)
    assert str(caught.value) == (f"{httpserver.url_for('/x')}: not fetched: the run's 600 s "
                                 "deadline for fetching has passed")
    assert len(httpserver.log) == 1


def test_a_turn_at_a_host_after_the_run_deadline_is_not_waited_for(httpserver):
    clock, sleeps = [0.0], []
    httpserver.expect_request("/x").respond_with_data("ok")
    fetcher = Fetcher(run_timeout=10, clock=lambda: clock[0], sleep=sleeps.append, backoff=0)
    fetcher(httpserver.url_for("/x"), min_interval=3600)
    with pytest.raises(FetchError, match=r"its turn at localhost:\d+ comes 3600 s from now, "
                                         r"after the run's 10 s deadline for fetching"):
        fetcher(httpserver.url_for("/x"), min_interval=3600)
    assert (sleeps, len(httpserver.log)) == ([], 1)


def test_the_run_deadline_cuts_a_request_short_of_its_own(slow_server):
    slow_server.mode = "trickle"
    url = slow_server.url("/slow")
    with pytest.raises(FetchError) as caught:
        Fetcher(deadline=60, run_timeout=1, backoff=0)(url, min_interval=0)
    assert str(caught.value) == (f"{url}: no complete answer before the run's 1 s deadline "
                                 "for fetching")


def test_a_deadline_given_per_call_replaces_the_fetchers_own(slow_server):
    slow_server.mode = "trickle"
    with pytest.raises(FetchError, match="no complete answer within 1 s$"):
        Fetcher(deadline=60, backoff=0)(slow_server.url("/slow"), min_interval=0, deadline=1)


@pytest.mark.parametrize("path", ["/dev/zero", "FIFO"])
def test_a_file_url_to_a_device_or_a_pipe_is_refused_not_read_forever(tmp_path, path):
    if path == "FIFO":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    url = Path(path).as_uri()
    with pytest.raises(FetchError, match=f"^{url}: not a regular file$"):
        fast_fetcher()(url)


def test_a_fetcher_has_a_run_deadline_of_ten_minutes_unless_told_otherwise(httpserver):
    clock = [0.0]
    httpserver.expect_request("/x").respond_with_data("ok")
    fetcher = Fetcher(clock=lambda: clock[0], backoff=0)
    clock[0] += 600
    with pytest.raises(FetchError, match="the run's 600 s deadline for fetching has passed"):
        fetcher(httpserver.url_for("/x"), min_interval=0)
    unbounded = Fetcher(run_timeout=None, clock=lambda: clock[0], backoff=0)
    clock[0] += 10**6
    assert unbounded(httpserver.url_for("/x"), min_interval=0).body == b"ok"
