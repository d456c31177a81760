"""Write .github/workflows/feeds.yml, the feeds workflow a fork of feedmaker runs, from the
template `feedmaker init --github` renders (a test fails when the two drift)."""

from pathlib import Path

from feedmaker.github.workflow import FORK_INSTALL, WORKFLOW_PATH, render

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / WORKFLOW_PATH
    target.write_text(render(FORK_INSTALL), encoding="utf-8")
    print(f"wrote {target}")
