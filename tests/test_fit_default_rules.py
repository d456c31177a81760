"""scripts/fit_default_rules.py on a few dozen papers: valid rules, the same bytes every run,
negatives only where the vocabulary names a confusion, strong title terms enough alone, and
the held-out and cross-validated tables."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from feedmaker.tagger import Tagger, parse_topics

pytestmark = pytest.mark.slow  # each fit reads the vocabulary over every sampled paper

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "scripts" / "fit_default_rules.py"
VOCABULARY = ROOT / "scripts" / "rule_vocabulary.toml"


def sample(path: Path, per_topic: int) -> list[dict]:
    """The first `per_topic` papers of each topic, and as many with no topic."""
    papers = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    slugs = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["topics"]
    chosen = {i for slug in slugs
              for i in [i for i, p in enumerate(papers) if slug in p["topics"]][:per_topic]}
    chosen |= set([i for i, p in enumerate(papers) if not p["topics"]][:per_topic])
    return [papers[i] for i in sorted(chosen)]


def write_lines(path: Path, papers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def fit(tmp_path: Path, out: str, *options: str) -> subprocess.CompletedProcess:
    dev = write_lines(tmp_path / "dev.jsonl", sample(ROOT / "data" / "papers-17-dev.jsonl", 2))
    extra = write_lines(tmp_path / "extra.jsonl",
                        sample(ROOT / "data" / "papers-17-rare.jsonl", 2))
    return subprocess.run([sys.executable, str(SCRIPT), "--dev", str(dev), "--extra",
                           str(extra), "--write", str(tmp_path / out), *options],
                          capture_output=True, text=True, timeout=300, check=True)


def vocabulary() -> dict:
    return tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["topics"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("fit")
    fit(tmp_path, "a.toml")
    fit(tmp_path, "b.toml")
    return tmp_path / "a.toml", tmp_path / "b.toml"


def test_the_script_writes_rules_feedmaker_loads_for_every_vocabulary_topic(fitted):
    rules = tomllib.loads(fitted[0].read_text(encoding="utf-8"))["topics"]
    vocabulary = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["topics"]
    assert list(rules) == list(vocabulary)
    topics = parse_topics(rules)
    assert [t.title for t in topics] == [v["title"] for v in vocabulary.values()]
    assert all(t.any and t.threshold > 0 for t in topics)
    assert [list(t.source for t in topic.none) for topic in topics] == [
        v.get("none", []) for v in vocabulary.values()]
    tagger = Tagger(topics)
    assert "language" in tagger.tag_fields("Multilingual machine translation",
                                           "We study NLP for low-resource languages.")


def test_the_script_is_deterministic(fitted):
    assert fitted[0].read_bytes() == fitted[1].read_bytes()


def test_each_topic_lists_its_terms_by_weight_with_its_notes(fitted):
    text = fitted[0].read_text(encoding="utf-8")
    for topic in parse_topics(tomllib.loads(text)["topics"]):
        weights = [term.weight for term in topic.any]
        assert weights == sorted(weights, reverse=True), topic.slug
    for slug, table in vocabulary().items():
        assert "\n".join(f"# {note}" for note in table["notes"]) in text, slug


def test_only_a_topics_against_terms_count_against_it(fitted):
    rules = parse_topics(tomllib.loads(fitted[0].read_text(encoding="utf-8"))["topics"])
    for topic in rules:
        negative = {term.source.rsplit("^", 1)[0] for term in topic.any if term.weight < 0}
        assert negative <= set(vocabulary()[topic.slug].get("against", [])), topic.slug


def test_one_strong_term_in_the_title_reaches_the_threshold(fitted):
    rules = parse_topics(tomllib.loads(fitted[0].read_text(encoding="utf-8"))["topics"])
    tagger = Tagger(rules)
    for topic in rules:
        weights = {term.source.rsplit("^", 1)[0]: term.weight for term in topic.any}
        for strong in vocabulary()[topic.slug]["strong"]:
            if strong in weights:
                assert weights[strong] * topic.title_weight >= topic.threshold, strong
    assert "time-series" in tagger.tag_fields("Time series of a kind", "")
    assert "robotics" in tagger.tag_fields("A quadruped", "")


def test_the_vocabulary_is_checked_before_fitting(tmp_path):
    bad = tmp_path / "vocabulary.toml"
    for table, message in [
        ('strong = ["graph", "graph neural network"]', "contains 'graph'"),
        ('strong = ["x"]\nagainst = ["x"]', "both for and against"),
        ('strong = ["x"]\nothers = false', "unknown key 'others'"),
    ]:
        bad.write_text(f'[topics.t]\ntitle = "T"\ndescription = "D"\n{table}\n')
        result = subprocess.run([sys.executable, str(SCRIPT), "--vocabulary", str(bad),
                                 "--write", str(tmp_path / "out.toml")],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and message in result.stderr, result.stderr


def test_cross_validation_prints_the_rules_beside_the_svm(tmp_path):
    result = fit(tmp_path, "c.toml", "--cv")
    dev = sample(ROOT / "data" / "papers-17-dev.jsonl", 2)
    extra = sample(ROOT / "data" / "papers-17-rare.jsonl", 2)
    blocks = [block.splitlines() for block in result.stdout.split("\n\n")]
    # Both files are folded: each fifth of each is scored by rules fitted on the rest.
    assert blocks[0][0] == (f"5-fold cross-validation on dev.jsonl ({len(dev)} papers) and "
                            f"{len(extra)} supplementary papers, fold seed 0, text only; each "
                            "fifth of both scored by rules fitted on the other four fifths")
    assert blocks[0][2].split() == ["topic", "P", "R", "F1", "P", "R", "F1", "labelled"]
    rows = blocks[0][3:]
    assert [row.split()[0] for row in rows] == [*vocabulary(), "micro-F1", "macro-F1"]
    assert all(row.endswith("few") for row in rows[:-2])  # two papers a topic
    # The Hugging Face daily papers (no arXiv categories) are scored again as a group: only
    # the topics they carry or are given, and micro-F1.
    daily = sum(not p.get("categories") for p in dev)
    assert daily and blocks[1][0] == (f"The {daily} Hugging Face daily papers among them "
                                      "(no arXiv categories): rules and SVM")
    rows = blocks[1][3:]
    assert rows[-1].split()[0] == "micro-F1"
    assert {row.split()[0] for row in rows[:-1]} <= set(vocabulary())
    assert not any(row.endswith("few") for row in rows)
    # Then the supplementary papers, apart: they are not a reader's mix.
    assert blocks[2][0] == (f"The {len(extra)} supplementary papers (not a reader's mix): "
                            "rules and SVM")
    assert [row.split()[0] for row in blocks[2][3:]] == [*vocabulary(), "micro-F1", "macro-F1"]


def test_cross_validation_over_several_fold_seeds_gives_means_and_ranges(tmp_path):
    result = fit(tmp_path, "d.toml", "--cv", "--no-svm", "--seed", "0", "1")
    lines = result.stdout.splitlines()
    assert "fold seeds 0, 1, text only" in lines[0]
    assert lines[2].split() == ["topic", "P", "R", "F1", "range", "P", "R", "F1", "labelled"]
    rows = [line.split() for line in lines[3:3 + len(vocabulary()) + 2]]
    assert [row[0] for row in rows] == [*vocabulary(), "micro-F1", "macro-F1"]
    # A topic's F1 and its range over the seeds; then micro- and macro-F1 and theirs.
    for f1, spread in [row[3:5] for row in rows[:-2]] + [row[1:3] for row in rows[-2:]]:
        assert 0 <= float(f1) <= 1 and 0 <= float(spread) <= 1


def test_cross_validation_can_leave_the_unread_papers_out(tmp_path):
    dev = sample(ROOT / "data" / "papers-17-dev.jsonl", 2)
    extra = sample(ROOT / "data" / "papers-17-rare.jsonl", 1)
    # Papers with no topic, so that every topic keeps papers to be fitted on in every fold.
    hidden_dev = [p for p in dev if not p["topics"]][:2]
    hidden_extra = [p for p in extra if not p["topics"]][:1]
    unread = [p["id"] for p in hidden_dev + hidden_extra]
    (tmp_path / "unread.txt").write_text("\n".join(unread) + "\n")
    write_lines(tmp_path / "dev.jsonl", dev)
    write_lines(tmp_path / "extra.jsonl", extra)
    result = subprocess.run([sys.executable, str(SCRIPT), "--cv", "--read-only", "--no-svm",
                             "--dev", str(tmp_path / "dev.jsonl"), "--extra",
                             str(tmp_path / "extra.jsonl"), "--unread",
                             str(tmp_path / "unread.txt")],
                            capture_output=True, text=True, timeout=300, check=True)
    read_dev, read_extra = len(dev) - len(hidden_dev), len(extra) - len(hidden_extra)
    assert result.stdout.splitlines()[0] == (
        f"5-fold cross-validation on dev.jsonl ({read_dev} read papers) and {read_extra} "
        "supplementary papers, fold seed 0, text only; each fifth of both scored by rules "
        "fitted on the other four fifths")


def test_holdout_scores_the_unread_papers_with_rules_fitted_on_the_rest(tmp_path):
    dev = sample(ROOT / "data" / "papers-17-dev.jsonl", 2)
    extra = sample(ROOT / "data" / "papers-17-rare.jsonl", 1)
    # Every topic keeps its supplementary paper to be fitted on.
    unread_extra = [p for p in extra if not p["topics"]][:2]
    unread = [p["id"] for p in dev[::3] + unread_extra]
    (tmp_path / "unread.txt").write_text("# not read\n" + "\n".join(unread) + "\n")
    write_lines(tmp_path / "dev.jsonl", dev)
    write_lines(tmp_path / "extra.jsonl", extra)
    result = subprocess.run([sys.executable, str(SCRIPT), "--holdout", "--no-svm", "--dev",
                             str(tmp_path / "dev.jsonl"), "--extra", str(tmp_path / "extra.jsonl"),
                             "--unread", str(tmp_path / "unread.txt")],
                            capture_output=True, text=True, timeout=300, check=True)
    lines = result.stdout.splitlines()
    read = len(dev) + len(extra) - len(unread)
    assert lines[0] == (f"Fitted on the {read} papers read; scored on the {len(dev[::3])} "
                        "unread papers of dev.jsonl, text only")
    assert lines[2].split()[-1] == "labelled"
    assert [line.split()[0] for line in lines[3:3 + len(vocabulary()) + 2]] == [
        *vocabulary(), "micro-F1", "macro-F1"]
    assert (f"scored on the {len(unread_extra)} unread papers of the supplementary files"
            in result.stdout)
