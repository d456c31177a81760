"""The like benchmark keeps working: a small run gives every figure, with sane values."""

import pytest

from bench import bench_like

pytestmark = pytest.mark.slow


def test_a_small_like_benchmark_reports_every_figure():
    result = bench_like.run(library=40, history=400, new=30, repeat=1)
    for key in ("import_s", "fit_s", "tfidf_alone_s", "fit_rss_mb", "model_bytes", "load_s",
                "score_ms_per_paper", "tag_ms_per_paper", "score_vs_tag", "run_cost_s",
                "scorer_import_ms"):
        assert result[key] > 0, key
    assert result["background_used"] > 0 and result["terms"] > 0
    assert result["sklearn_imported_by_scoring"] is False
    assert result["numpy_imported_by_scoring"] is False
    assert "the tagger's" in bench_like.report(result)
