"""Figures against targets: the ratios, the markdown table, the chunk size choice."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENGINES = {"memory": "memory engine", "sqlite": "persistent default"}
MIB = 1024 * 1024

TARGETS: dict[str, str] = {
    "stream_mb_s": "single stream >= 150 MB/s",
    "upload_mb_s": "upload >= 40 MB/s",
    "upload_steady": "upload's last quarter >= 0.8x its first",
    "restart": "restart with the store full: /readyz 200 < 5 s",
    "stream_cpu_ratio": "API CPU s/GiB <= 1.5x the raw driver read's",
    "stream_ratio": "single stream >= 0.75x raw driver read",
    "streams_ratio": "16 streams aggregate >= 0.70x raw driver read, no errors",
    "seek_p50": "p50 <= 20 ms at every offset and size",
    "seek_growth": "largest file's p50 <= 1.5x the smallest's",
    "upload_rss": "peak RSS growth < 64 MiB",
    "upload_ratio": "upload >= 0.80x raw driver write",
    "list_p99": "p99 < 150 ms under 16 streams + 2 uploads",
}


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    value: str
    ratio: float | None
    met: bool | None  # None: context, not a target


SEEK_FILES = ("small", "medium", "large")


def _seek_rows(seek: dict[str, dict[str, float]]) -> list[Figure]:
    """Rows by position (the sizes differ per column), each cell naming its size."""
    rows = []
    sizes = list(dict.fromkeys(label.split("@")[0] for label in seek))
    for label, timing in seek.items():
        size, offset = label.split("@")
        p50, p99 = timing["p50_ms"], timing["p99_ms"]
        value = f"{size}: p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        name = f"seek {SEEK_FILES[sizes.index(size)]} file @ {float(offset):.0%}"
        rows.append(Figure("seek_p50", name, value, None, p50 <= 20))
    return rows


def _seek_growth(seek: dict[str, dict[str, float]]) -> float:
    by_size: dict[str, dict[str, float]] = {}
    for label, timing in seek.items():
        size, offset = label.split("@")
        by_size.setdefault(size, {})[offset] = timing["p50_ms"]
    sizes = list(by_size)
    smallest, largest = by_size[sizes[0]], by_size[sizes[-1]]
    return max(largest[offset] / smallest[offset] for offset in smallest)


def _repeated(figure: dict[str, Any], unit: str = "MB/s", key: str = "mb_per_s") -> str:
    low, high = figure["spread"]
    return f"{figure[key]:.0f} {unit} (median of {figure['reps']}, {low:.0f}-{high:.0f})"


def _restart(run: dict[str, Any]) -> Figure:
    restart = run.get("restart")
    if restart is None:
        return Figure("restart", "restart, /readyz 200 after", "n/a: nothing persists", None, None)
    value = f"{restart['seconds']:.2f} s with {restart['store_gib']:.1f} GiB stored"
    return Figure("restart", "restart, /readyz 200 after", value, None, restart["seconds"] < 5)


def _steady(upload: dict[str, Any]) -> Figure:
    steady = upload["last_to_first_quarter"]
    low, high = steady["spread"]
    value = f"{steady['ratio']:.2f}x (median of {steady['reps']}, {low:.2f}-{high:.2f})"
    return Figure(
        "upload_steady", "upload, last quarter / first", value, None, steady["ratio"] >= 0.8
    )


def _late_upload(run: dict[str, Any]) -> Figure:
    late = run["upload_full_store"]
    value = (
        f"{late['mb_per_s']:.0f} MB/s, last quarter / first {late['last_to_first_quarter']:.2f}x"
        f" ({late['bytes'] // MIB} MiB, after {run['sizes']['other_videos']} of other videos)"
    )
    return Figure("upload_full_store", "upload into a filled store", value, None, None)


def _cpu(figure: dict[str, Any], key: str = "api_cpu_s_per_gib") -> str:
    low, high = figure["cpu_spread"]
    return f"{figure[key]:.2f} s/GiB (median of {figure['reps']}, {low:.2f}-{high:.2f})"


def _stream_rows(run: dict[str, Any], client: str) -> list[Figure]:
    """1 stream, its API CPU and N streams, as one client measured them (median of runs)."""
    raw_read, stream, streams = run["raw_read"], run[f"stream_{client}"], run[f"streams_{client}"]
    stream_ratio = stream["mb_per_s"] / raw_read["mb_per_s"]
    cpu_ratio = stream["api_cpu_s_per_gib"] / raw_read["cpu_s_per_gib"]
    streams_ratio = streams["mb_per_s"] / raw_read["mb_per_s"]
    count = streams["clients"]
    return [
        Figure(
            "stream_mb_s",
            f"1 stream ({client})",
            _repeated(stream),
            None,
            stream["mb_per_s"] >= 150,
        ),
        Figure(
            "stream_ratio",
            f"1 stream / raw driver read ({client})",
            f"{stream_ratio:.2f}x",
            stream_ratio,
            stream_ratio >= 0.75,
        ),
        Figure(
            "stream_cpu_ratio",
            f"1 stream, API CPU ({client})",
            _cpu(stream),
            cpu_ratio,
            cpu_ratio <= 1.5,
        ),
        Figure(
            "streams_ratio",
            f"{count} streams aggregate ({client})",
            f"{_repeated(streams)}, {streams['errors']} errors",
            streams_ratio,
            streams_ratio >= 0.70 and streams["errors"] == 0,
        ),
    ]


def _clients_agree(run: dict[str, Any]) -> Figure:
    """How far the load generator's single stream is from curl's (> 10% is explained in NOTES)."""
    curl, own = run["stream_curl"]["mb_per_s"], run["stream_loadgen"]["mb_per_s"]
    value = f"loadgen / curl {own / curl:.2f}x (1 stream, medians)"
    return Figure("clients", "clients agree (within 10%)", value, None, None)


def figures(run: dict[str, Any]) -> list[Figure]:
    raw_read, raw_write = run["raw_read"], run["raw_write"]
    upload = run["upload"]
    upload_ratio = upload["mb_per_s"] / raw_write["mb_per_s"]
    growth = _seek_growth(run["seek"])
    list_p99 = run["responsiveness"]["p99_ms"]
    rss = upload["rss_growth_mib"]
    sizes = run["sizes"]
    return [
        Figure(
            "sizes",
            "sizes: stream / upload / seek files",
            f"{sizes['stream']} / {sizes['upload']} / {', '.join(sizes['seek'])}",
            None,
            None,
        ),
        Figure("raw_read", "raw driver read", _repeated(raw_read), 1.0, None),
        Figure("raw_read_cpu", "raw driver read CPU", _cpu(raw_read, "cpu_s_per_gib"), 1.0, None),
        Figure("raw_write", "raw driver write", _repeated(raw_write), 1.0, None),
        *_stream_rows(run, "loadgen"),
        *_stream_rows(run, "curl"),
        _clients_agree(run),
        *_seek_rows(run["seek"]),
        Figure(
            "seek_growth",
            "seek cost growth (largest/smallest p50)",
            f"{growth:.2f}x",
            growth,
            growth <= 1.5,
        ),
        Figure("upload_mb_s", "upload", _repeated(upload), None, upload["mb_per_s"] >= 40),
        _steady(upload),
        _late_upload(run),
        Figure(
            "upload_ratio",
            "upload / raw driver write",
            f"{upload_ratio:.2f}x",
            upload_ratio,
            upload_ratio >= 0.80,
        ),
        Figure("upload_rss", "upload, API peak RSS growth", f"{rss:.1f} MiB", None, rss < 64),
        Figure(
            "list_p99",
            "list under load",
            f"p50 {run['responsiveness']['p50_ms']:.1f} ms, p99 {list_p99:.1f} ms, "
            f"{len(run['responsiveness']['list_failures'])} failed",
            None,
            list_p99 < 150
            and run["responsiveness"]["load_errors"] == 0
            and not run["responsiveness"]["list_failures"],
        ),
        Figure(
            "healthz",
            "/healthz under the same load (no database)",
            f"p50 {run['responsiveness']['healthz_p50_ms']:.1f} ms, "
            f"p99 {run['responsiveness']['healthz_p99_ms']:.1f} ms",
            None,
            None,
        ),
        _restart(run),
    ]


def choose_chunk_size(runs: dict[str, dict[str, Any]]) -> int:
    """Most targets met; ties go to the higher 16-stream throughput."""

    def score(run: dict[str, Any]) -> tuple[int, float]:
        met = sum(1 for figure in figures(run) if figure.met)
        return met, run["streams"]["mb_per_s"]

    best = max(runs.values(), key=score)
    chosen: int = best["chunk_size"]
    return chosen


def _chunk_label(size: int) -> str:
    return f"{size // 1024} KiB" if size < MIB else f"{size // MIB} MiB"


def _column(run: dict[str, Any]) -> str:
    return f"{ENGINES[run['engine']]}, {_chunk_label(run['chunk_size'])} chunks"


def _cell(figure: Figure) -> str:
    mark = {True: " ✅", False: " ❌", None: ""}[figure.met]
    ratio = f" ({figure.ratio:.2f}x)" if figure.ratio is not None else ""
    return f"{figure.value}{ratio}{mark}"


def table(results: dict[str, Any]) -> str:
    runs = results["runs"]
    columns = [figures(run) for run in runs.values()]
    header = "| figure | target | " + " | ".join(_column(run) for run in runs.values())
    lines = [header + " |", "|---" * (2 + len(columns)) + "|"]
    for row, first in enumerate(columns[0]):
        target = TARGETS.get(first.key, "floor" if first.ratio == 1.0 else "")
        cells = " | ".join(_cell(column[row]) for column in columns)
        lines.append(f"| {first.name} | {target} | {cells} |")
    return "\n".join(lines)


def write_markdown(results: dict[str, Any], path: Path) -> None:
    machine = results["machine"]
    # The written analysis belongs to the committed results only, not to a smoke run's.
    notes_path = Path(__file__).resolve().parent / "NOTES.md"
    committed = path.resolve().parent == notes_path.parent
    notes = notes_path.read_text() if committed and notes_path.exists() else ""
    text = f"""# Vidvault benchmark results

- Date: {results["date"]} (took {results["duration_s"]} s)
- Command: `{results["command"]}`
- Machine: {machine["cpu"]}, {machine["cores"]} cores, {machine["memory_gib"]} GiB,
  Linux {machine["kernel"]}, Python {machine["python"]}; load average at start
  {", ".join(f"{x:.2f}" for x in machine["load_average_at_start"])} (other work shares the cores)
- Databases, each its own process, on the same files: the embedded **memory engine** (what the
  tests use), and the **persistent default** that `make run` starts (mongoeco's SQLite engine
  for documents, the launcher's own SQLite chunk store for GridFS chunks; data on this disk).
  API: uvicorn `vidvault.asgi:app` as `make api` runs it (production settings, the app's JSON
  access log on, uvicorn's off), its own process.
  Load generator and raw driver: their own processes.
- Disk, the physical limit: `dd` writing {results["disk_write"]["bytes"] // MIB} MiB with fsync
  to the databases' disk, {_repeated(results["disk_write"])}.
- Repeated figures are the median of the runs and their spread (min-max); seeks are the
  p50/p99 of {results["config"]["seek_runs"]} requests per point. Ratios are to the raw driver
  (read for streams, write for uploads) measured in the same run, on the same engine.
- The runner's pick (most targets met, then 16-stream throughput):
  **{_chunk_label(results["chosen_chunk_size"])}**; the default chosen from all runs is below.

{table(results)}

{notes}"""
    path.write_text(text)
