"""The state branch over git's smart HTTP with a token, as on GitHub: a local server runs
`git http-backend` and answers 401 unless the request carries the token that
GITHUB_TOKEN gives; the token never lands in a file or in a message."""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug import Response

TOKEN = "ghs_not-a-real-token-0123456789"
STATE = ".feedmaker/state.sqlite"


@pytest.fixture
def served(tmp_path, httpserver, monkeypatch) -> str:
    """A bare repository behind HTTP that wants `TOKEN`; returns its URL."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    subprocess.run(["git", "init", "--quiet", "--bare", str(tmp_path / "remote.git")],
                   check=True)
    expected = "basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()

    def backend(request) -> Response:
        if request.headers.get("Authorization") != expected:
            return Response("no", 401, {"WWW-Authenticate": 'Basic realm="git"'})
        env = {"GIT_PROJECT_ROOT": str(tmp_path), "GIT_HTTP_EXPORT_ALL": "1",
               "PATH_INFO": request.path, "QUERY_STRING": request.query_string.decode(),
               "REQUEST_METHOD": request.method, "REMOTE_USER": "x-access-token",
               "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": request.content_type or "",
               "HTTP_CONTENT_ENCODING": request.headers.get("Content-Encoding", ""),
               "HTTP_GIT_PROTOCOL": request.headers.get("Git-Protocol", ""),
               "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1"}
        done = subprocess.run(["git", "http-backend"], input=request.get_data(), env=env,
                              capture_output=True, timeout=60, check=True)
        head, _, body = done.stdout.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        status = int(headers.pop("Status", "200").split()[0])
        return Response(body, status, headers)

    httpserver.expect_request(re.compile("/remote.git/.*")).respond_with_handler(backend)
    return httpserver.url_for("/remote.git")


def feedmaker(*args, cwd: Path, token: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_TOKEN"}
    if token:
        env["GITHUB_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "feedmaker", "github", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def a_state(folder: Path) -> None:
    (folder / ".feedmaker").mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / STATE) as db:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('saved by', ?)", (folder.name,))
    db.close()


def test_restore_and_save_over_http_send_the_token_and_never_store_it(served, tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    restore = feedmaker("restore-state", "--remote", served, cwd=first, token=TOKEN)
    assert restore.returncode == 0 and "new history" in restore.stdout, restore.stderr
    a_state(first)
    saved = feedmaker("save-state", cwd=first, token=TOKEN)
    assert saved.returncode == 0, saved.stderr
    second = tmp_path / "second"
    second.mkdir()
    assert feedmaker("restore-state", "--remote", served, cwd=second,
                     token=TOKEN).returncode == 0
    restored = sqlite3.connect(second / STATE)
    assert restored.execute("SELECT value FROM meta").fetchall() == [("first",)]
    restored.close()
    secrets = (TOKEN.encode(), base64.b64encode(f"x-access-token:{TOKEN}".encode()))
    for path in tmp_path.rglob("*"):
        if path.is_file() and "remote.git" not in path.parts:
            assert not any(secret in path.read_bytes() for secret in secrets), path


@pytest.mark.parametrize("token", [None, "ghs_wrong"])
def test_without_the_right_token_restore_fails_in_one_line_that_names_the_remote(
        served, tmp_path, token):
    restore = feedmaker("restore-state", "--remote", served, cwd=tmp_path, token=token)
    assert restore.returncode == 1
    [line] = restore.stderr.splitlines()
    assert line.startswith("feedmaker: git ls-remote (http://") and "remote.git" in line
    assert TOKEN not in line and (token is None or token not in line)
    assert not (tmp_path / STATE).exists()
