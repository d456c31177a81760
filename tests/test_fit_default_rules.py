"""scripts/fit_default_rules.py on a few dozen papers: valid rules, the same bytes every run."""

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
                        sample(ROOT / "data" / "papers-17-rare.jsonl", 1))
    return subprocess.run([sys.executable, str(SCRIPT), "--dev", str(dev), "--extra",
                           str(extra), "--write", str(tmp_path / out), *options],
                          capture_output=True, text=True, timeout=300, check=True)


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
    assert "# Text generation by an LLM is `language`, not `generative` (guide)." in text


def test_cross_validation_prints_the_rules_beside_the_svm(tmp_path):
    result = fit(tmp_path, "c.toml", "--cv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("5-fold cross-validation on dev.jsonl")
    assert lines[2].split() == ["topic", "P", "R", "F1", "P", "R", "F1", "support"]
    assert [line.split()[0] for line in lines[3:]] == [
        *tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["topics"], "micro-F1",
        "macro-F1"]
