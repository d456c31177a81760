"""Issue 17's "Done when": on the labelled dev papers, a 30-paper library of a topic (5
seeds) puts that topic's papers in the stream's 25 best (docs/like.md has the table)."""

from __future__ import annotations

from functools import cache

import pytest

from feedmaker.evaluate import read_papers
from feedmaker.like.evaluate import precision_at_k
from scripts.eval_like import TARGETS, evaluate_topic, split, topics_with

pytestmark = pytest.mark.slow
DEV = "data/papers-17-dev.jsonl"
# The recipe was chosen, and the targets set, on the file's first 1,000 papers; round 3
# added 300 more (docs/like.md gives the figures on all of them too).
MEASURED = 1000


@cache
def dev_papers():
    with open(DEV, encoding="utf-8") as stream:
        return list(read_papers(stream, DEV))[:MEASURED]


@cache
def topic_result(topic: str):
    return evaluate_topic(dev_papers(), topic)


def test_every_topic_with_40_papers_has_a_target():
    assert sorted(topics_with(dev_papers())) == sorted(TARGETS)


# Two topics have fewer than 25 papers left in the stream once 30 are in the library
# (retrieval-recsys 21, interpretability 14), so no ranking reaches the figure
# as plain precision (ceilings 0.84 and 0.56). The target is held against the share of
# what could be found (hits / min(25, papers of the topic in the stream)), which is plain
# precision for every other topic.
@pytest.mark.parametrize("topic", sorted(TARGETS))
def test_a_library_of_a_topic_fills_the_top_25_with_that_topic(topic):
    result = topic_result(topic)
    assert len(result.runs) == 5
    assert result.mean_attained >= TARGETS[topic], [r.hits for r in result.runs]
    if result.ceiling == 1.0:
        assert result.mean == result.mean_attained


def test_precision_at_k_counts_the_labelled_among_the_k_best():
    result = precision_at_k([0.9, 0.1, 0.8, 0.7, 0.2], [True, True, False, True, False], k=3)
    assert (result.hits, result.relevant, result.precision) == (2, 3, 2 / 3)
    assert (result.ceiling, result.attained) == (1.0, 2 / 3)


def test_precision_at_k_has_a_ceiling_when_fewer_papers_carry_the_label_than_k():
    result = precision_at_k([3, 2, 1, 0], [True, False, False, False], k=4)
    assert (result.precision, result.ceiling, result.attained) == (0.25, 0.25, 1.0)


def test_precision_at_k_breaks_ties_by_order_and_caps_k_at_the_papers_ranked():
    assert precision_at_k([1, 1, 1], [False, True, True], k=1).hits == 0
    assert precision_at_k([1, 0], [True, False], k=25).k == 2


def test_the_library_is_drawn_from_the_topic_and_left_out_of_the_stream():
    library, stream = split(dev_papers(), "security", seed=3)
    assert len(library) == 30 and len(stream) == 970
    assert all("security" in p.topics for p in library)
    assert not {p.line for p in library} & {p.line for p in stream}
    assert split(dev_papers(), "security", seed=3)[0] == library


def test_a_view_library_is_evaluated_against_a_labelled_file_without_its_own_papers(
        tmp_path):
    from feedmaker.errors import InputError
    from feedmaker.like.evaluate import evaluate_view
    from feedmaker.like.view import LikeView

    papers = dev_papers()
    library, _ = split(papers, "security", seed=1)
    (tmp_path / "ids.txt").write_text("".join(p.record["id"] + "\n" for p in library))
    view = LikeView("mine", "Mine", "", (tmp_path / "ids.txt",))
    result = evaluate_view(view, papers, "security")
    assert result.relevant == 72 - 30 and result.k == 25
    assert result.hits == topic_result("security").runs[0].hits
    with pytest.raises(InputError, match="line 1: no `topics`"):
        evaluate_view(view, [papers[0].__class__(1, {}, "t", "s", (), (), None)], "security")
