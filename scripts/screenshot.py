"""Render the site's pages in headless Chromium (`make screenshot`): the front page, a topic
page, that page 375 px wide and in dark mode; then check that no page scrolls sideways at
375 px.

Usage: python scripts/screenshot.py FEEDS_DIR OUT_DIR [--topic vision] [--readme PNG]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# What Chromium needs here: no sandbox as root, and no background connections on a machine
# without a network (each would be refused, many at a time).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
DARK = "--blink-settings=preferredColorScheme=0"  # 0 is dark: prefers-color-scheme follows
PHONE = 375


def chromium(*args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        sys.exit("screenshot: chromium is not installed (make screenshot installs it)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


def shoot(page: Path, png: Path, width: int, height: int, *extra: str) -> None:
    """One screenshot of `page`, `width` x `height` CSS pixels."""
    chromium(f"--window-size={width},{height}", *extra, f"--screenshot={png}", page.as_uri())
    if not png.is_file():
        sys.exit(f"screenshot: Chromium wrote no {png}")
    print(f"wrote {png}")


def too_wide(pages: list[Path]) -> list[str]:
    """The pages that scroll sideways in a 375 px wide frame, with their widths.

    Headless Chromium lays a window out at 500 px at least, so each page is loaded in a
    375 px frame of a harness page, which reads the frame's widths (file: frames may be
    read with --allow-file-access-from-files)."""
    with tempfile.TemporaryDirectory() as folder:
        harness = Path(folder) / "harness.html"
        frames = "".join(f'<iframe width="{PHONE}" height="700" src="{page.as_uri()}">'
                         "</iframe>" for page in pages)
        harness.write_text(
            f"<!DOCTYPE html><body>{frames}<script>onload = () => {{"
            "for (const f of document.querySelectorAll('iframe')) {"
            "const e = f.contentDocument.documentElement;"
            "console.log('WIDTH ' + f.src + ' ' + e.scrollWidth + ' ' + e.clientWidth); }"
            "}</script></body>", encoding="utf-8")
        result = chromium("--allow-file-access-from-files", "--enable-logging=stderr",
                          "--v=0", "--virtual-time-budget=5000", "--window-size=800,800",
                          "--dump-dom", harness.as_uri())
    widths = re.findall(r"WIDTH (\S+) (\d+) (\d+)", result.stderr)
    if len(widths) != len(pages):
        sys.exit(f"screenshot: could not measure the pages ({len(widths)} of {len(pages)})")
    return [f"{url}: {scroll} px wide in {client} px" for url, scroll, client in widths
            if int(scroll) > int(client)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("feeds", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--topic", default="vision")
    parser.add_argument("--readme", type=Path, help="also write the README's picture here")
    args = parser.parse_args()
    feeds, out = args.feeds.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    topic = feeds / f"{args.topic}.html"
    shoot(feeds / "index.html", out / "index.png", 1100, 1400)
    shoot(topic, out / f"{args.topic}.png", 1100, 1400)
    shoot(topic, out / f"{args.topic}-{PHONE}px.png", PHONE, 1400)
    shoot(topic, out / f"{args.topic}-dark.png", 1100, 1400, DARK)
    if args.readme:
        shoot(topic, args.readme.resolve(), 1000, 820)
    wide = too_wide(sorted(feeds.glob("*.html")))
    if wide:
        sys.exit("screenshot: pages scroll sideways on a phone:\n" + "\n".join(wide))
    print(f"no page scrolls sideways at {PHONE} px")


if __name__ == "__main__":
    main()
