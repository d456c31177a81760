"""Whole-run benchmarks: cost follows new work, not history (`make bench`).

Builds a synthetic history deterministically from the dev papers' text (ids and dates
varied), serves a 100-paper source page from a local HTTP server, and times real
`feedmaker run` processes: a full run (20 of the 100 papers new), the same run over 10x
less history (growth), a run with nothing new, and `feedmaker --help` (start-up).

Usage: python -m bench.bench_pipeline [--history N] [--small-history N] [--repeat K]
(`make bench HISTORY=1000000` measures a million-paper history against 100,000.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import history
from bench.corpus import dev_papers
from feedmaker.config import parse_config
from feedmaker.model import Entry

# `feedmaker run` reads the real clock, so the history is dated from it too (a history
# dated in the past would be pruned by the first timed run).
NOW = datetime.now(UTC).replace(microsecond=0)
PAGE_SIZE, NEW_ON_PAGE = 100, 20
TARGETS = {"full_run_s": 1.0, "full_run_rss_mb": 150.0, "growth_ratio": 1.3, "help_ms": 150.0}


def synthetic_paper(number: int) -> dict:
    """Paper `number` (0 = newest): dev text, an id of its own, one minute older per step."""
    papers = dev_papers()
    text = papers[number % len(papers)]
    arxiv_id = f"{2400 + number // 90000:04d}.{10000 + number % 90000:05d}"
    published = NOW - timedelta(days=1, minutes=number)
    return {"paper": {"id": arxiv_id, "title": f"{text['title']} ({number})",
                      "summary": text["summary"], "publishedAt": published.isoformat(),
                      "authors": [{"name": "A. Author"}, {"name": "B. Author"}],
                      "upvotes": number % 50}}


# The like view's library: a reference manager's export of this many papers.
LIBRARY_SIZE = 2000


def write_library(path: Path, size: int = LIBRARY_SIZE) -> None:
    """A CSL JSON library of `size` papers (title and abstract) from the labelled papers."""
    papers = [p for p in dev_papers() if "vision" not in p.get("topics", [])]
    path.write_text(json.dumps([
        {"type": "article", "title": f"{p['title']} [{n}]", "abstract": p["summary"]}
        for n, p in enumerate((papers * (size // len(papers) + 1))[:size])]), encoding="utf-8")


def build_history(path: Path, size: int) -> None:
    """A state store holding `size` tagged papers, numbered NEW_ON_PAGE and up, placed in
    the benchmark's views, with the like view's model fitted (as a run fits it)."""
    write_library(path.parent / "library.json")
    config = parse_config(bench_config_text(0), base_dir=path.parent, where="bench")
    papers = (_entry(synthetic_paper(n)) for n in range(NEW_ON_PAGE, NEW_ON_PAGE + size))
    started = time.perf_counter()
    history.build(path, config, papers, NOW - timedelta(hours=6), _text_number,
                  lambda message: print(f"  {time.perf_counter() - started:6.0f} s  "
                                        f"{message}", file=sys.stderr, flush=True))


def _text_number(entry: Entry) -> int:
    """Which dev paper's text a synthetic paper carries: its topics and views follow."""
    return int(entry.title.rpartition("(")[2].rstrip(")")) % len(dev_papers())


def _entry(item: dict) -> Entry:
    paper = item["paper"]
    return Entry(id=f"https://arxiv.org/abs/{paper['id']}", arxiv_id=paper["id"],
                 title=paper["title"], summary=paper["summary"], source="hf",
                 url=f"https://huggingface.co/papers/{paper['id']}",
                 authors=tuple(a["name"] for a in paper["authors"]),
                 published=datetime.fromisoformat(paper["publishedAt"]),
                 links=(("arxiv", f"https://arxiv.org/abs/{paper['id']}"),
                        ("pdf", f"https://arxiv.org/pdf/{paper['id']}")))


class _Page(BaseHTTPRequestHandler):
    body = b"[]"

    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def serve(items: list[dict]):
    handler = type("Page", (_Page,), {"body": json.dumps(items).encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def bench_config_text(port: int, like: bool = True) -> str:
    """The benchmark's config: the default topics, five views of every kind, and (unless
    `like` is false) a like view over a 2,000-paper library."""
    return f"""[site]
title = "Bench"
base_url = "http://127.0.0.1/"
out_dir = "out"
state = "state.sqlite"
max_entries = 100

[[sources]]
name = "hf"
type = "hf-api"
url = "http://127.0.0.1:{port}/api/daily_papers"

[views.efficient-vision]
all = ["topic:vision", "topic:efficiency"]
none = ["topic:generative"]

[views.authors]
any = ["authors:Wei Zhang", "authors:Yang Liu", "authors:Li Wang"]

[views.from-hf]
any = ["source:hf"]

[views.popular]
min_upvotes = 20

[views.popular-agents]
all = ["view:popular", "topic:agents"]
""" + ("""
[views.like-mine]
like = ["library.json"]
per_day = 5
""" if like else "")


def write_bench_config(path: Path, server, like: bool = True) -> None:
    path.write_text(bench_config_text(server.server_address[1], like))


# Runs one command and prints its wall time, peak RSS (KB) and exit status. The command
# is forked from this small interpreter, not from the benchmark: Linux keeps ru_maxrss
# across execve, so a child forked from a 250 MB benchmark process would report 250 MB.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed_run(workdir: Path, config: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit status of one `feedmaker run` process."""
    result = subprocess.run([sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "feedmaker",
                             "run", "--config", str(config), "-q"],
                            cwd=workdir, capture_output=True, text=True, check=True)
    seconds, rss_kb, status = result.stdout.split()
    return float(seconds), int(rss_kb) / 1024, int(status)


def scenario(root: Path, history: int, repeat: int) -> dict:
    """Median full-run and no-op figures over `history` entries, without the like view
    (a run with one imports scikit-learn, about a second: `bench_like` measures it), and one
    full run with it."""
    base = root / f"history-{history}"
    base.mkdir()
    build_history(base / "state.sqlite", history)
    page = [synthetic_paper(n) for n in range(PAGE_SIZE)]  # 0..19 are new
    server = serve(page[NEW_ON_PAGE:])
    config = base / "feedmaker.toml"
    write_bench_config(config, server)
    # Steady state: the previous run's feeds are on disk.
    assert timed_run(base, config)[2] == 0
    server.shutdown()
    server = serve(page)
    write_bench_config(config, server, like=False)
    shutil.copytree(base, root / "before", dirs_exist_ok=True)
    full, rss, noop, written = [], [], [], []
    for _ in range(repeat):
        shutil.rmtree(base)
        shutil.copytree(root / "before", base)
        # The copy leaves 300 MB of dirty page cache; flushed by the run's first fsync, it
        # would be charged to the run, which on a real server finds the store long on disk.
        os.sync()
        seconds, peak, status = timed_run(base, config)
        assert status == 0, "full run failed"
        full.append(seconds)
        rss.append(peak)
        before = {p.name: p.stat().st_mtime_ns for p in (base / "out").iterdir()}
        seconds, _, status = timed_run(base, config)
        assert status == 0, "no-op run failed"
        noop.append(seconds)
        written.append(sum(p.stat().st_mtime_ns != before.get(p.name)
                           for p in (base / "out").iterdir()))
    shutil.rmtree(base)
    shutil.copytree(root / "before", base)
    write_bench_config(config, server, like=True)
    os.sync()
    with_like, _, status = timed_run(base, config)
    assert status == 0, "full run with the like view failed"
    server.shutdown()
    shutil.rmtree(root / "before")
    return {"history": history, "full_run_s": statistics.median(full),
            "full_run_rss_mb": max(rss), "noop_run_s": statistics.median(noop),
            "noop_files_written": max(written), "full_run_with_like_s": with_like}


def help_ms(repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "feedmaker", "--help"], check=True,
                       capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def python_startup_ms(repeat: int = 15, code: str = "pass") -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# What any run over HTTP must load before doing anything: the floor under a no-op run.
FLOOR_IMPORTS = "import click, requests, sqlite3, tomllib"


def run(history: int, small_history: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        big = scenario(Path(tmp), history, repeat)
        small = scenario(Path(tmp), small_history, repeat)
    return {
        "full": big, "small": small,
        "growth_ratio": big["full_run_s"] / small["full_run_s"],
        "noop_share": big["noop_run_s"] / big["full_run_s"],
        "help_ms": help_ms(), "python_startup_ms": python_startup_ms(),
        "import_floor_ms": python_startup_ms(code=FLOOR_IMPORTS),
    }


def report(result: dict) -> str:
    big, small = result["full"], result["small"]
    rows = [
        f"whole-run benchmark: page of {PAGE_SIZE} papers, {NEW_ON_PAGE} new; 17 topics; "
        "max_entries 100; medians",
        _line(f"full run, {big['history']:,} history", big["full_run_s"], "<",
              TARGETS["full_run_s"], " s"),
        _line("peak RSS of the full run", big["full_run_rss_mb"], "<",
              TARGETS["full_run_rss_mb"], " MB"),
        f"  full run, {small['history']:,} history (baseline)   {small['full_run_s']:>8.3f} s",
        f"  full run with the like view too         {big['full_run_with_like_s']:>8.3f} s   "
        "no target (it imports scikit-learn)",
        _line(f"growth {big['history']:,} / {small['history']:,}", result["growth_ratio"],
              "<=", TARGETS["growth_ratio"], "x"),
        f"  run with nothing new / full run        {result['noop_share']:>8.3f}x     no target"
        f"  ({big['noop_run_s']:.3f} s, {big['noop_files_written']} files written)",
        f"    of which start-up floor ({FLOOR_IMPORTS.removeprefix('import ')}): "
        f"{result['import_floor_ms'] / 1000:.3f} s, "
        f"{result['import_floor_ms'] / 1000 / big['full_run_s']:.3f}x of the full run",
        _line("feedmaker --help", result["help_ms"], "<", TARGETS["help_ms"], " ms")
        + f"  (python -c pass: {result['python_startup_ms']:.0f} ms)",
    ]
    return "\n".join(rows)


def _line(name: str, value: float, op: str, target: float, unit: str) -> str:
    ok = {"<": value < target, "<=": value <= target}[op]
    return (f"  {name:<38} {value:>8.3f}{unit:<3}  target {op} {target:g}{unit.strip()}  "
            f"{'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--small-history", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()
    result = run(args.history, args.small_history, args.repeat)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
