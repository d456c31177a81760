"""The like benchmark keeps working: a small run gives every figure, with sane values."""

import pytest

from bench import bench_like

pytestmark = pytest.mark.slow


def test_a_small_like_benchmark_reports_every_figure():
    result = bench_like.run(library=40, history=400, repeat=1)
    for key in ("import_s", "fit_s", "fit_rss_mb", "terms", "model_bytes", "load_s",
                "pickle_bytes", "unpickle_s", "run_import_s", "run_load_s", "run_score_s"):
        assert result[key] > 0, key
    assert result["background_used"] == 400
    assert "a run's like cost (20 new papers" in bench_like.report(result)
