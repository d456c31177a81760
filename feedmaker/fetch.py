"""The only network code: one HTTP session with retries, timeouts, spacing, conditional GET
and a size cap."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from feedmaker import PROJECT_URL, __version__
from feedmaker.errors import FetchError

USER_AGENT = f"feedmaker/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 20 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
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
    """A fetched body with the final URL (after redirects) and the response headers."""

    url: str
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @cached_property
    def validators(self) -> Validators:
        """The validators to send next time: ETag, Last-Modified and the body's hash
        (computed once: the fetch compares it, and the source stores it)."""
        return Validators(etag=self.headers.get("ETag"),
                          last_modified=self.headers.get("Last-Modified"),
                          body_hash=body_hash(self.body))


class NotModified(Exception):  # noqa: N818 - a signal, not an error
    """The URL answered 304, or the same bytes as last time: there is nothing to parse."""


def body_hash(body: bytes) -> str:
    """The hash a body is compared by to tell "same content as last time"."""
    return hashlib.sha256(body).hexdigest()


def interval_for(url: str) -> float:
    """The default minimum number of seconds between two requests to this URL's host."""
    return HOST_INTERVALS.get(urlsplit(url).hostname or "", DEFAULT_INTERVAL)


class Fetcher:
    """Fetches http(s) and file:// URLs; one instance per run, shared by all sources.

    Safe to call from several threads: requests to one host are spaced by at least its
    interval, whichever thread makes them.
    """

    def __init__(self, *, timeout: tuple[float, float] = (10.0, 30.0), retries: int = 3,
                 backoff: float = 1.0, max_bytes: int = MAX_BYTES,
                 user_agent: str = USER_AGENT,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.timeout = timeout
        self.retries = retries
        self.max_bytes = max_bytes
        self.clock, self.sleep = clock, sleep
        self.backoff, self.user_agent = backoff, user_agent
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
                from requests.adapters import HTTPAdapter
                from urllib3.util.retry import Retry

                retries = self.retries
                retry = Retry(total=retries, connect=retries, read=retries, status=retries,
                              backoff_factor=self.backoff, status_forcelist=RETRY_STATUSES,
                              allowed_methods=frozenset({"GET", "HEAD"}),
                              respect_retry_after_header=True, raise_on_status=False)
                session = requests.Session()
                session.headers["User-Agent"] = self.user_agent
                adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._session = session
            return self._session

    def __call__(self, url: str, *, validators: Validators | None = None,
                 min_interval: float | None = None) -> Response:
        """Fetch one URL; raise FetchError naming the URL on any failure.

        With `validators` (from the last successful fetch) the request is conditional, and
        NotModified is raised for a 304 or for a body identical to last time's.
        """
        scheme = urlsplit(url).scheme
        if scheme == "file":
            response = self._read_file(url)
        elif scheme in ("http", "https"):
            self._wait_for_slot(url, interval_for(url) if min_interval is None else min_interval)
            response = self._get(url, validators)
        else:
            raise FetchError(f"{url}: unsupported URL scheme {scheme!r}")
        if validators and (response.status == 304 or
                           validators.body_hash == response.validators.body_hash):
            raise NotModified(url)
        return response

    def _wait_for_slot(self, url: str, interval: float) -> None:
        host = urlsplit(url).netloc.lower()
        with self._slot_lock:
            now = self.clock()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + interval
        if start > now:
            self.sleep(start - now)

    def _get(self, url: str, validators: Validators | None) -> Response:
        import requests

        session = self.session
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            with session.get(url, timeout=self.timeout, stream=True,
                                  headers=headers) as response:
                if response.status_code >= 400:
                    gave_up = (f", still failing after {self.retries} "
                               f"{'retry' if self.retries == 1 else 'retries'}"
                               if response.status_code in RETRY_STATUSES and self.retries else "")
                    raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}"
                                     + gave_up)
                if response.status_code == 304:
                    return Response(url=response.url, body=b"", status=304,
                                    headers=dict(response.headers))
                body = self._read_capped(url, response)
                return Response(url=response.url, body=body, status=response.status_code,
                                headers=dict(response.headers))
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {_describe(exc)}") from exc

    def _read_capped(self, url: str, response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: response of {declared} bytes exceeds the "
                             f"{self.max_bytes}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url}: response exceeds the {self.max_bytes}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_file(self, url: str) -> Response:
        path = Path(unquote(urlsplit(url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(f"{url}: file of {size} bytes exceeds the "
                                 f"{self.max_bytes}-byte limit")
            return Response(url=url, body=path.read_bytes())
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        """Release pooled connections."""
        if self._session is not None:
            self._session.close()


def _describe(exc) -> str:
    """One short line for what went wrong, from the root of requests' nested exceptions."""
    import requests
    from urllib3.exceptions import IncompleteRead

    causes = list(_causes(exc))
    incomplete = next((c for c in causes if isinstance(c, IncompleteRead)), None)
    if incomplete is not None:
        return (f"the body was cut off: got {incomplete.partial} bytes, "
                f"{incomplete.expected} more were announced")
    if isinstance(exc, requests.Timeout) or any(isinstance(c, TimeoutError | socket.timeout)
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
