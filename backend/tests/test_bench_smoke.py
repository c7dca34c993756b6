"""The benchmark's smoke variant: tiny sizes, so `make bench` cannot rot unnoticed."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"
EXPECTED_TARGETS = {
    "stream_mb_s",
    "upload_mb_s",
    "upload_steady",
    "restart",
    "stream_cpu_ratio",
    "stream_ratio",
    "streams_ratio",
    "seek_p50",
    "seek_growth",
    "upload_rss",
    "upload_ratio",
    "list_p99",
}


def run_quick(script: str, out: Path, *options: str, timeout: float = 480) -> None:
    """Run one bench script's smoke variant (`--quick`) with its results in `out`."""
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", *options, "--out", str(out)],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_quick_bench_produces_every_figure(tmp_path: Path) -> None:
    run_quick("run.py", tmp_path)  # two engines
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["targets"]) == EXPECTED_TARGETS
    assert results["disk_write"]["mb_per_s"] > 0
    runs = results["runs"]
    assert {run["engine"] for run in runs.values()} == {"memory", "sqlite"}
    for run in runs.values():
        assert_every_figure(run)
    assert "restart" not in runs["memory/65536"]
    assert runs["sqlite/65536"]["restart"]["seconds"] > 0
    assert runs["sqlite/65536"]["restart"]["store_gib"] > 0
    markdown = (tmp_path / "results.md").read_text()
    for target in results["targets"].values():
        assert target in markdown
    assert "persistent default" in markdown and "memory engine" in markdown


def assert_every_figure(run: dict[str, Any]) -> None:
    for figure in ("raw_read", "raw_write", "stream", "upload"):
        low, high = run[figure]["spread"]
        assert 0 < low <= run[figure]["mb_per_s"] <= high, figure
    assert run["raw_read"]["cpu_s_per_gib"] >= 0
    for client in ("loadgen", "curl"):  # both clients, each figure a median with its spread
        stream, streams = run[f"stream_{client}"], run[f"streams_{client}"]
        low, high = stream["spread"]
        assert 0 < low <= stream["mb_per_s"] <= high, client
        assert stream["api_cpu_s_per_gib"] >= 0 and stream["errors"] == 0, client
        assert streams["errors"] == 0 and streams["mb_per_s"] > 0, client
    assert len(run["seek"]) == 9
    assert all(t["p50_ms"] > 0 and t["p99_ms"] >= t["p50_ms"] for t in run["seek"].values())
    assert run["upload"]["rss_growth_mib"] >= 0
    assert run["upload"]["last_to_first_quarter"]["ratio"] > 0
    assert run["responsiveness"]["list_calls"] > 0
    assert run["responsiveness"]["load_errors"] == 0


def test_quick_resumable_bench_measures_both_engines(tmp_path: Path) -> None:
    run_quick("resumable.py", tmp_path, timeout=300)
    results = json.loads((tmp_path / "results-resumable.json").read_text())
    assert [one["engine"] for one in results["engines"]] == ["sqlite", "memory"]
    for one in results["engines"]:
        summary = one["summary"]
        assert summary["tus_mb_per_s"]["median"] > 0
        assert summary["multipart_mb_per_s"]["median"] > 0
        assert summary["resent_after_cut_mib"]["median"] <= 8
    markdown = (tmp_path / "results-resumable.md").read_text()
    assert "persistent default" in markdown and "memory engine" in markdown
