"""The benchmark keeps working: a small run gives every figure, with sane values."""

from bench import bench_tagger


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
