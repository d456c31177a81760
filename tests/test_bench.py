"""The benchmarks keep working: a small run gives every figure, in the report and the JSON."""

import json
import re
import sys

import pytest

from bench import bench_tagger
from feedmaker.model import Entry
from feedmaker.tagger import Tagger, default_topics, parse_topics
from feedmaker.tagger.reasons import topic_terms

TAGGER_FIGURES = {"papers", "terms", "loop_docs_per_s", "re2_set_docs_per_s",
                  "tagger_docs_per_s", "run_docs_per_s", "vs_loop", "vs_re2_set", "compile_ms"}

@pytest.mark.slow
def test_a_small_tagging_benchmark_reports_every_figure_in_its_report_and_json(
        tmp_path, monkeypatch, capsys):
    path = tmp_path / "results.json"
    monkeypatch.setattr(sys, "argv", ["bench_tagger", "--papers", "1000",
                                      "--baseline-papers", "20", "--json", str(path)])
    bench_tagger.main()
    result = json.loads(path.read_text(encoding="utf-8"))
    assert set(result) == TAGGER_FIGURES
    assert result["papers"] == 1000
    assert result["terms"] == Tagger(default_topics()).term_count
    assert all(isinstance(value, int | float) for value in result.values())
    printed = capsys.readouterr().out
    assert printed.strip() == bench_tagger.report(result)
    # The figures with a target say whether they met it; the bare Set's ratio has none.
    lines = printed.splitlines()
    for name in ("tagger (tag_fields)", "tagger / per-keyword loop",
                 f"compile {result['terms']:,} terms"):
        [line] = [line for line in lines if name in line]
        assert "target" in line and line.rstrip().endswith(("ok", "MISSED")), line
    [bare] = [line for line in lines if "bare google-re2 Set" in line]
    assert "no target" in bare and f"{result['vs_re2_set']:.2f}x" in bare


def test_the_benchmarked_run_does_what_a_run_does_per_paper():
    tagger = Tagger(default_topics())
    entry = Entry(id="x", title="Speech-driven robot manipulation", url="https://x.org/",
                  source="s", summary="We use an LLM agent with images and a robot policy.")
    scores, terms = bench_tagger.a_run(tagger)(entry)
    assert scores == tagger.scored(entry) and scores
    assert terms == topic_terms(tagger, entry)


def test_the_baselines_search_the_rules_own_word_and_prefix_terms_once_each():
    rules = parse_topics({"a": {"any": ["image", "ViT", "segment*", r"re:\bGPT\d",
                                        "category:cs.CV"], "none": ["medical"]},
                          "b": {"any": ["image^2"], "all": [["robot"]]}})
    assert bench_tagger.term_texts(rules) == [("image", False), ("ViT", True), ("segment", False),
                                              ("medical", False), ("robot", False)]


@pytest.mark.slow
def test_a_small_whole_run_benchmark_reports_every_figure():
    from bench import bench_pipeline

    result = bench_pipeline.run(history=300, small_history=100, repeat=1)
    assert [result[size]["history"] for size in ("full", "small")] == [300, 100]
    for scenario in (result["full"], result["small"]):
        assert set(scenario) == {"history", "full_run_s", "full_run_rss_mb", "noop_run_s",
                                 "noop_files_written", "full_run_with_like_s"}
        assert scenario["noop_files_written"] <= 1  # status.json, when the second turned
    report = bench_pipeline.report(result).splitlines()
    targets = [line for line in report if "target" in line and "no target" not in line]
    assert len(targets) == 4 and all(re.search(r"target .* (ok|MISSED)\b", line)
                                     for line in targets)
    assert any("nothing new" in line and "no target" in line for line in report)
