"""The media and search benches' smoke variant: tiny sizes, persistent default only."""

import json
import shutil
from pathlib import Path

import pytest

from tests.test_bench_smoke import run_quick


def _run(script: str, out: Path) -> dict[str, object]:
    run_quick(script, out, "--engines", "sqlite")
    stem = script.removesuffix(".py")
    assert "persistent default" in (out / f"results-{stem}.md").read_text()
    results: dict[str, object] = json.loads((out / f"results-{stem}.json").read_text())
    return results


def _figures(results: dict[str, object]) -> dict[str, dict[str, object]]:
    figures = results["figures"]
    assert isinstance(figures, dict)
    persistent: dict[str, dict[str, object]] = figures["sqlite"]
    return persistent


@pytest.mark.parametrize("script", ["media.py", "search.py"])
def test_quick_bench_measures_every_target(script: str, tmp_path: Path) -> None:
    results = _run(script, tmp_path)
    figures = _figures(results)
    targets = results["targets"]
    assert isinstance(targets, dict) and targets
    for key in targets:
        figure = figures[key]
        if "skipped" in figure:  # only the ffmpeg comparison may be skipped, where it is absent
            assert key == "transcode_ratio" and shutil.which("ffmpeg") is None, figure
            continue
        runs = figure["runs"]
        assert isinstance(runs, list) and runs, key
        assert figure["met"] in (True, False), key
