"""Repeated figures against targets, per engine: results-media and results-search (JSON, markdown).

A figure is measured once per run; it is reported as the median of the runs
with their spread (min-max), and its target is judged on the median.
"""

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from procs import BENCH
from report import ENGINES
from run import machine

type Figures = dict[str, dict[str, Any]]


class BenchConfig(Protocol):
    """A bench's frozen dataclass of sizes."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def engines(self) -> list[str]: ...


def options(description: str) -> argparse.ArgumentParser:
    """The options every one of these benches takes; each adds its own sizes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: the smoke variant")
    parser.add_argument("--out", type=Path, default=BENCH, help="where results go")
    parser.add_argument("--engines", help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--reps", type=int, help="runs of each repeated figure (default 3)")
    return parser


def configure[C: BenchConfig](
    parser: argparse.ArgumentParser, full: C, quick: C, sizes: Callable[[Any], dict[str, Any]]
) -> tuple[argparse.Namespace, C]:
    """The preset (--quick or full) with what the command line changes; `sizes(args)` maps
    the bench's own options to config fields (None: unchanged)."""
    args, _ = parser.parse_known_args()  # make bench passes run.py's options to every script
    engines = args.engines.split(",") if args.engines else None
    changes = {"engines": engines, "reps": args.reps} | sizes(args)
    config = dataclasses.replace(
        quick if args.quick else full, **{k: v for k, v in changes.items() if v is not None}
    )
    if not set(config.engines) <= set(ENGINES):
        parser.error(f"--engines: choose from {', '.join(ENGINES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    return args, config


@dataclass(frozen=True)
class Target:
    text: str
    met: Callable[[float], bool] | None = None  # None: context, not a target


def repeated(values: list[float], unit: str, target: Target | None = None) -> dict[str, Any]:
    median = statistics.median(values)
    met = target.met(median) if target is not None and target.met is not None else None
    return {
        "median": median,
        "min": min(values),
        "max": max(values),
        "runs": values,
        "unit": unit,
        "met": met,
    }


def skipped(reason: str) -> dict[str, Any]:
    return {"skipped": reason}


def _number(value: float) -> str:
    return (
        f"{value:.0f}"
        if abs(value) >= 100
        else f"{value:.2f}"
        if abs(value) < 10
        else f"{value:.1f}"
    )


def _cell(figure: dict[str, Any] | None) -> str:
    if figure is None:
        return "not measured"
    if "skipped" in figure:
        return f"skipped: {figure['skipped']}"
    mark = {True: " ✅", False: " ❌", None: ""}[figure["met"]]
    low, high = _number(figure["min"]), _number(figure["max"])
    runs = len(figure["runs"])
    return f"{_number(figure['median'])} {figure['unit']} (median of {runs}, {low}-{high}){mark}"


def table(figures: dict[str, Figures], names: dict[str, str], targets: dict[str, Target]) -> str:
    engines = list(figures)
    lines = [
        "| figure | target | " + " | ".join(ENGINES[engine] for engine in engines) + " |",
        "|---" * (2 + len(engines)) + "|",
    ]
    for key, name in names.items():
        cells = " | ".join(_cell(figures[engine].get(key)) for engine in engines)
        target = targets[key].text if key in targets else ""
        lines.append(f"| {name} | {target} | {cells} |")
    return "\n".join(lines)


def started() -> dict[str, Any]:
    """When and where a bench starts: the machine and its load now."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "time": time.time(),
        "machine": machine(),
    }


def write(
    out: Path,
    stem: str,
    title: str,
    results: dict[str, Any],
    names: dict[str, str],
    targets: dict[str, Target],
    notes: str,
) -> None:
    """results-<stem>.json and .md: machine and load, then one column per engine.

    `results` holds "started" (from `started()`) and "figures" (engine -> key -> figure).
    """
    host = results["started"]["machine"] | {"load_average_at_end": os.getloadavg()}
    results = {
        "date": results["started"]["date"],
        "duration_s": round(time.time() - results["started"]["time"], 1),
        "command": " ".join(["make bench (scripts/bench.sh)", *sys.argv[1:]]),
        "machine": host,
        **{key: value for key, value in results.items() if key != "started"},
        "targets": {key: target.text for key, target in targets.items()},
    }
    (out / f"results-{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    loads = ", ".join(f"{x:.2f}" for x in host["load_average_at_start"])
    text = f"""# {title}

- Date: {results["date"]} (took {results["duration_s"]} s); command `{results["command"]}`
- Machine: {host["cpu"]}, {host["cores"]} cores, {host["memory_gib"]} GiB, Linux {host["kernel"]},
  Python {host["python"]}; load average {loads} at the start and
  {", ".join(f"{x:.2f}" for x in host["load_average_at_end"])} at the end: other work
  may share these cores, and the load average says how much did.
- Engines, each its own database process: the **persistent default** that `make run` starts
  (data on this disk) and the embedded **memory engine** the tests use. API: `python -m
  vidvault.server` with production settings, as `make api` runs it.
- Each figure: the median of its runs and their spread (min-max); targets are judged on the
  median.

{table(results["figures"], names, targets)}

{notes}
"""
    (out / f"results-{stem}.md").write_text(text)
    sys.stdout.write(text)
