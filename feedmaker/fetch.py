"""The only network code: one HTTP session with retries, timeouts, deadlines, spacing,
conditional GET and a size cap."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from feedmaker import PROJECT_URL, __version__
from feedmaker.errors import FetchError

USER_AGENT = f"feedmaker/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 20 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Seconds one request may take in all: connecting, waiting, every read and the whole body.
# urllib3's timeouts bound each socket operation, not their sum: a body that trickles a byte
# every few seconds never trips them.
DEFAULT_DEADLINE = 60.0
# Seconds all the requests of one fetcher (one run) may take: a run holds the lock, and
# cron starts the next one every 30 minutes or so.
DEFAULT_RUN_TIMEOUT = 600.0
# Seconds between two requests to one host. arXiv asks for 3 s (its API terms of use);
# 1 s elsewhere keeps a many-page backfill well under Hugging Face's anonymous limits.
DEFAULT_INTERVAL = 1.0
HOST_INTERVALS = {"arxiv.org": 3.0, "export.arxiv.org": 3.0, "rss.arxiv.org": 3.0,
                  "www.arxiv.org": 3.0}


@dataclass(frozen=True)
class Validators:
    """What the last successful fetch of a URL left for the next one to compare against."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True)
class Response:
    """A fetched body with the final URL (after redirects) and the response headers (asked
    for in lower case: requests' mapping finds a name whatever case the server sent)."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def validators(self) -> Validators:
        """The validators to send next time: ETag, Last-Modified and the body's hash
        (computed once: the fetch compares it, and the source stores it)."""
        return Validators(etag=self.headers.get("etag"),
                          last_modified=self.headers.get("last-modified"),
                          body_hash=body_hash(self.body))


class NotModified(Exception):  # noqa: N818 - a signal, not an error
    """The URL answered 304, or the same bytes as last time: there is nothing to parse."""


def body_hash(body: bytes) -> str:
    """The hash a body is compared by to tell "same content as last time"."""
    return hashlib.sha256(body).hexdigest()


def interval_for(url: str) -> float:
    """The default minimum number of seconds between two requests to this URL's host."""
    return HOST_INTERVALS.get(urlsplit(url).hostname or "", DEFAULT_INTERVAL)


@dataclass(kw_only=True, eq=False)
class Fetcher:
    """Fetches http(s) and file:// URLs; one instance per run, shared by all sources.

    Safe to call from several threads: requests to one host are spaced by at least its
    interval, whichever thread makes them.
    """

    timeout: tuple[float, float] = (10.0, 30.0)  # urllib3's (connect, read), within `deadline`
    deadline: float = DEFAULT_DEADLINE  # a source's `timeout` option replaces it per call
    run_timeout: float | None = DEFAULT_RUN_TIMEOUT  # from the fetcher's making; None: no bound
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int = MAX_BYTES
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._run_ends = None if self.run_timeout is None else self.clock() + self.run_timeout
        self._next_slot: dict[str, float] = {}
        self._slot_lock = threading.Lock()
        self._session = None

    @property
    def session(self):
        """The requests session, made on first use: runs over file:// URLs never load
        requests (0.1 to 0.2 s of start-up on this machine)."""
        with self._slot_lock:
            if self._session is None:
                import requests

                session = requests.Session()
                session.headers["User-Agent"] = USER_AGENT
                adapter = _deadline_adapter(self.retries, self.backoff)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._session = session
            return self._session

    def __call__(self, url: str, *, validators: Validators | None = None,
                 min_interval: float | None = None, deadline: float | None = None) -> Response:
        """Fetch one URL; raise FetchError naming the URL on any failure.

        With `validators` (from the last successful fetch) the request is conditional, and
        NotModified is raised for a 304 or for a body identical to last time's. `deadline`
        (seconds) replaces the fetcher's own for this request.
        """
        scheme = urlsplit(url).scheme
        if scheme == "file":
            response = self._read_file(url)
        elif scheme in ("http", "https"):
            self._wait_for_slot(url, interval_for(url) if min_interval is None else min_interval)
            response = self._get(url, validators, self._attempt(url, deadline or self.deadline))
        else:
            raise FetchError(f"{url}: unsupported URL scheme {scheme!r}")
        if validators and (response.status == 304 or
                           validators.body_hash == response.validators.body_hash):
            raise NotModified(url)
        return response

    def _attempt(self, url: str, seconds: float) -> _Attempt:
        at = self.clock() + seconds
        if self._run_ends is not None and self._run_ends < at:
            return _Attempt(url, self._run_ends, self.clock, "no complete answer before the "
                            f"run's {self.run_timeout:g} s deadline for fetching")
        return _Attempt(url, at, self.clock, f"no complete answer within {seconds:g} s")

    def _wait_for_slot(self, url: str, interval: float) -> None:
        host = urlsplit(url).netloc.lower()
        with self._slot_lock:
            now = self.clock()
            start = max(now, self._next_slot.get(host, now))
            if self._run_ends is not None and now >= self._run_ends:
                raise FetchError(f"{url}: not fetched: the run's {self.run_timeout:g} s "
                                 "deadline for fetching has passed")
            if self._run_ends is not None and start >= self._run_ends:
                raise FetchError(f"{url}: not fetched: its turn at {host} comes "
                                 f"{start - now:g} s from now, after the run's "
                                 f"{self.run_timeout:g} s deadline for fetching")
            self._next_slot[host] = start + interval
        if start > now:
            self.sleep(start - now)

    def _get(self, url: str, validators: Validators | None, attempt: _Attempt) -> Response:
        """The request runs in a thread of its own, and this one waits for it no longer
        than the deadline: nothing a server (or the resolver) does can hold a run longer.
        At the deadline, the request's sockets are shut down so that its thread ends too."""
        done = threading.Event()

        def request() -> None:
            _current.attempt = attempt
            try:
                attempt.response = self._request(url, validators, attempt)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                attempt.error = exc
            finally:
                done.set()

        threading.Thread(target=request, name=f"fetch {url}", daemon=True).start()
        if not done.wait(max(attempt.left(), 0.0)):
            attempt.cut_off()
            raise FetchError(f"{url}: {attempt.missed}")
        if attempt.error is not None:
            raise attempt.error
        return attempt.response

    def _request(self, url: str, validators: Validators | None, attempt: _Attempt
                 ) -> Response:
        import requests

        last = validators or Validators()
        # requests sends no header whose value is None.
        headers = {"If-None-Match": last.etag or None,
                   "If-Modified-Since": last.last_modified or None}
        left = attempt.left()
        if left <= 0:
            raise FetchError(f"{url}: {attempt.missed}")
        timeout = (min(self.timeout[0], left), min(self.timeout[1], left))
        response = None
        try:
            response = self.session.get(url, timeout=timeout, stream=True, headers=headers)
            with response:
                attempt.track(response)
                if response.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}"
                                     + self._gave_up(response), status=response.status_code)
                body = (b"" if response.status_code == 304
                        else self._read_capped(url, response))
                return Response(url=response.url, body=body, status=response.status_code,
                                headers=response.headers)
        except requests.RequestException as exc:
            if attempt.left() <= 0:
                raise FetchError(f"{url}: {attempt.missed}") from exc
            raise FetchError(f"{url}: {_describe(exc)}") from exc
        except (ValueError, UnicodeError) as exc:
            if response is not None:  # not from following a Location such as "http://[::1"
                raise
            raise FetchError(f"{url}: redirected to an address that cannot be read") from exc

    def _gave_up(self, response) -> str:
        gave_up = ""
        if response.status_code in RETRY_STATUSES and self.retries:
            gave_up = (f", still failing after {self.retries} "
                       f"{'retry' if self.retries == 1 else 'retries'}")
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after:
            gave_up += f"; the server asks to be retried {_when(retry_after)}"
        return gave_up

    def _read_capped(self, url: str, response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and (len(declared) > 18
                                                          or int(declared) > self.max_bytes):
            shown = declared if len(declared) <= 20 else declared[:20] + "…"
            raise FetchError(f"{url}: response of {shown} bytes exceeds the "
                             f"{self.max_bytes}-byte limit")
        chunks, size = [], 0
        # No deadline check here: at the deadline the waiting thread gives up and shuts the
        # socket down, which ends this loop.
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url}: response exceeds the {self.max_bytes}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_file(self, url: str) -> Response:
        path = Path(unquote(urlsplit(url).path))
        try:
            status = path.stat()
            # A device or a pipe (/dev/zero, a FIFO) never ends, or never answers.
            if not stat.S_ISREG(status.st_mode):
                raise FetchError(f"{url}: not a regular file")
            if status.st_size > self.max_bytes:
                raise FetchError(f"{url}: file of {status.st_size} bytes exceeds the "
                                 f"{self.max_bytes}-byte limit")
            return Response(url=url, body=path.read_bytes())
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        """Release pooled connections."""
        if self._session is not None:
            self._session.close()


_current = threading.local()  # the _Attempt of the request this thread is making (the
# session is used in no other thread)


class _Attempt:
    """One request as its thread makes it: its URL, when it must be over (a time on the
    fetcher's clock) and how to say it was missed; the connections and the response it
    has open (to cut off at the deadline), and what came of it."""

    def __init__(self, url: str, at: float, clock: Callable[[], float], missed: str) -> None:
        self.url, self.at, self.clock, self.missed = url, at, clock, missed
        self.response: Response | None = None
        self.error: BaseException | None = None
        self._open: list = []
        self._cut = False
        self._lock = threading.Lock()

    def left(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self.at - self.clock()

    def track(self, connection_or_response) -> None:
        """Remember a connection (urllib3's) or a streaming response (requests')."""
        with self._lock:
            self._open.append(connection_or_response)
            cut = self._cut
        if cut:
            _shut_down(connection_or_response)

    def cut_off(self) -> None:
        """Shut every socket down: a read blocked in the request's thread returns at once."""
        with self._lock:
            self._cut = True
            tracked = list(self._open)
        for thing in tracked:
            _shut_down(thing)


def _shut_down(connection_or_response) -> None:
    # A connection that handed its socket to the response ("Connection: close") has none
    # left; urllib3's response keeps a way to shut that socket down.
    with contextlib.suppress(Exception):
        if hasattr(connection_or_response, "raw"):
            connection_or_response.raw.shutdown()
        elif connection_or_response.sock is not None:
            connection_or_response.sock.shutdown(socket.SHUT_RDWR)


def _deadline_adapter(retries: int, backoff: float):
    """requests' adapter over urllib3, made to keep a request's deadline: each connection
    its pools hand out is recorded in the _Attempt of the thread that takes it (a kept-alive
    one too), to be shut down at the deadline; nothing is retried once the deadline has
    passed, and a Retry-After beyond it is not waited out: the request fails at once (a
    FetchError passes through urllib3 and requests as it is), saying when the server asked
    to be retried."""
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.util.retry import Retry

    class Tracking:
        def _get_conn(self, timeout=None):
            connection = super()._get_conn(timeout)
            _current.attempt.track(connection)
            return connection

    class HTTPPool(Tracking, HTTPConnectionPool):
        pass

    class HTTPSPool(Tracking, HTTPSConnectionPool):
        pass

    class DeadlineRetry(Retry):
        def sleep_for_retry(self, response) -> bool:
            seconds = self.get_retry_after(response)
            attempt = _current.attempt
            if seconds is not None and seconds > attempt.left():
                retry_after = response.headers.get("Retry-After", "").strip()
                raise FetchError(f"{attempt.url}: HTTP {response.status} {response.reason}; "
                                 f"the server asks to be retried {_when(retry_after)}, after "
                                 "this request's deadline")
            return super().sleep_for_retry(response)

        def is_exhausted(self) -> bool:
            return super().is_exhausted() or _current.attempt.left() <= 0

    # `total` bounds connect, read and status retries alike; only GETs are ever sent.
    retry = DeadlineRetry(total=retries, backoff_factor=backoff,
                          status_forcelist=RETRY_STATUSES, raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
    adapter.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}
    return adapter


def _when(retry_after: str) -> str:
    """Retry-After as words: "in 3600 s" for seconds, "at <date>" for an HTTP date."""
    return f"in {retry_after} s" if retry_after.isdigit() else f"at {retry_after}"


def _describe(exc) -> str:
    """One short line for what went wrong, from the root of requests' nested exceptions."""
    import requests
    from urllib3.exceptions import IncompleteRead

    causes = list(_causes(exc))
    incomplete = next((c for c in causes if isinstance(c, IncompleteRead)), None)
    if incomplete is not None:
        return (f"the body was cut off: got {incomplete.partial} bytes, "
                f"{incomplete.expected} more were announced")
    if isinstance(exc, requests.Timeout) or any(isinstance(c, TimeoutError)
                                                or "timed out" in str(c) for c in causes):
        return "timed out waiting for the server"
    system = next((c for c in causes if isinstance(c, OSError) and c.strerror), None)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return ("connection broken while reading the body"
                + (f": {system.strerror.lower()}" if system else ""))
    if isinstance(exc, requests.ConnectionError):
        return "connection failed" + (f": {system.strerror.lower()}" if system else "")
    return str(exc)


def _causes(exc: BaseException):
    """The exception, what it wraps (in args, cause and context), and so on down."""
    seen, todo = set(), [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [a for a in current.args if isinstance(a, BaseException)]
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
