"""The benchmark keeps working: a small run gives every figure, with sane values."""

import pytest

from bench import bench_tagger

pytestmark = pytest.mark.slow


def test_a_small_tagging_benchmark_reports_every_figure():
    result = bench_tagger.run(papers=700, baseline_papers=20)
    assert result["terms"] >= 990
    for key in ("loop_docs_per_s", "re2_set_docs_per_s", "tagger_docs_per_s",
                "default_rules_docs_per_s", "common_terms_docs_per_s", "compile_ms",
                "vs_loop", "vs_re2_set"):
        assert result[key] > 0, key
    report = bench_tagger.report(result)
    assert "per-keyword re.search loop" in report and "target" in report


def test_the_thousand_term_rules_mix_default_terms_and_topic_like_corpus_terms():
    rules = bench_tagger.thousand_term_rules()
    assert len(rules) == 17
    assert sum(len(t.any) + len(t.none) for t in rules) >= 990


def test_a_small_whole_run_benchmark_reports_every_figure():
    from bench import bench_pipeline

    result = bench_pipeline.run(history=300, small_history=100, repeat=1)
    for scenario in (result["full"], result["small"]):
        assert scenario["full_run_s"] > 0 and scenario["full_run_rss_mb"] > 0
        assert scenario["noop_files_written"] == 0
    assert result["growth_ratio"] > 0 and result["noop_share"] > 0 and result["help_ms"] > 0
    assert "no-op run / full run" in bench_pipeline.report(result)
