"""Run a fit in a child Python process, so scikit-learn's import (about 1 s and 120 MB) and
the fit's memory never enter the run that asked for it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from feedmaker.like.fit import FitResult, LikeError, PaperText, Text, fit
from feedmaker.like.model import LikeModel
from feedmaker.like.paper import LibraryPaper


def fit_in_child(library: Sequence[LibraryPaper], background: Sequence[PaperText],
                 not_relevant: Sequence[PaperText] = (), inputs: dict | None = None,
                 python: str = sys.executable) -> FitResult:
    """`feedmaker.like.fit.fit` in `python -m feedmaker.like.child`; LikeError on failure."""
    with tempfile.TemporaryDirectory(prefix="feedmaker-like-") as tmp:
        request, answer = Path(tmp) / "request.json", Path(tmp) / "answer"
        request.write_text(json.dumps({
            "library": [[p.where, p.title, p.abstract, p.arxiv_id, p.doi] for p in library],
            "background": [_text(p) for p in background],
            "not_relevant": [_text(p) for p in not_relevant],
            "inputs": inputs or {},
        }), encoding="utf-8")
        done = subprocess.run([python, "-m", "feedmaker.like.child", str(request), str(answer)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            raise LikeError(f"fitting failed: {lines[-1] if lines else done.returncode}")
        scores = json.loads(answer.with_suffix(".json").read_text(encoding="utf-8"))
        return FitResult(LikeModel.from_bytes(answer.read_bytes()), scores["background_scores"],
                         scores["background_used"])


def _text(paper: PaperText) -> list:
    return [paper.title, paper.summary, paper.arxiv_id]


def main(request_path: str, answer_path: str) -> int:
    """The child's side: read the request, fit, write the model and the scores."""
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    library = [LibraryPaper(where=w, title=t, abstract=a, arxiv_id=i, doi=d)
               for w, t, a, i, d in request["library"]]
    try:
        result = fit(library, [Text(*p) for p in request["background"]],
                     [Text(*p) for p in request["not_relevant"]], request["inputs"])
    except LikeError as exc:
        print(exc, file=sys.stderr)
        return 1
    answer = Path(answer_path)
    answer.write_bytes(result.model.to_bytes())
    answer.with_suffix(".json").write_text(json.dumps(
        {"background_scores": result.background_scores,
         "background_used": result.background_used}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
