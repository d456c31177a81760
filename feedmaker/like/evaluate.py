"""`feedmaker eval --like`: a view's library against labelled papers, as precision@k."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from feedmaker.errors import InputError
from feedmaker.evaluate import Paper, require_labels
from feedmaker.like.library import paper_text, read_library
from feedmaker.like.lookup import fill_in, stored_texts
from feedmaker.like.model import Text, fit, without_library
from feedmaker.like.view import LikeView
from feedmaker.normalize import bare_arxiv_id
from feedmaker.store import Store

K = 25


@dataclass(frozen=True)
class Precision:
    """How many of the k best-scored papers carry the label, and the most that could."""

    k: int
    hits: int
    relevant: int  # labelled papers among all those ranked

    @property
    def precision(self) -> float:
        return self.hits / self.k

    @property
    def ceiling(self) -> float:
        """The best precision possible: fewer than k labelled papers cap it."""
        return min(self.k, self.relevant) / self.k

    @property
    def attained(self) -> float:
        """hits / min(k, relevant): the share of what could be found that was."""
        return self.hits / min(self.k, self.relevant) if self.relevant else 0.0


def precision_at_k(scores: Sequence[float], labelled: Sequence[bool], k: int = K) -> Precision:
    """Precision of the k highest scores (ties go to the paper given first)."""
    ranked = [bool(label) for _, label in sorted(zip(scores, labelled, strict=True),
                                                 key=lambda pair: -pair[0])]
    k = min(k, len(ranked))
    if k < 1:
        raise ValueError("nothing to rank")
    return Precision(k, sum(ranked[:k]), sum(ranked))


def find_view(views: Sequence[LikeView], slug: str) -> LikeView:
    """The like view called `slug`, or InputError naming those there are."""
    view = next((v for v in views if v.slug == slug), None)
    if view is None:
        raise InputError(f"no like view called {slug!r} (like views: "
                         f"{', '.join(v.slug for v in views) or 'none'})")
    return view


def evaluate_view(view: LikeView, papers: list[Paper], label: str, k: int = K,
                  state: Path | None = None) -> Precision:
    """The view's library (papers known only by id given their text from the labelled
    papers, else the state store; nothing is fetched) fitted against the labelled papers,
    those in the library left out, and the precision of the best `k` against `label`."""
    require_labels(papers)
    library = read_library(view.files).papers
    texts = [Text(p.title, p.summary, bare_arxiv_id(str(p.record.get("id") or "")))
             for p in papers]
    known = {t.arxiv_id: (t.title, t.summary) for t in texts if t.arxiv_id}
    if state and state.is_file() and any(p.needs_lookup and p.arxiv_id not in known
                                         for p in library):
        with Store.reader(state) as store:
            known = stored_texts(library, store.history) | known
    library = fill_in(library, {}, None, known).papers
    labels = {id(text): label in paper.topics for text, paper in zip(texts, papers,
                                                                              strict=True)}
    stream = without_library(texts, library)
    scores, _ = fit(library, stream).score([paper_text(t.title, t.summary) for t in stream])
    return precision_at_k(scores, [labels[id(t)] for t in stream], k)
