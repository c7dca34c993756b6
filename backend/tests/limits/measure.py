"""Measuring an attack on the API process: its resident memory, and how loaded the machine is."""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tests.faults.processes import ApiProcess

SAMPLE_SECONDS = 0.02


@dataclass
class RssWatch:
    baseline_mib: float
    peak_mib: float

    @property
    def peak_growth_mib(self) -> float:
        return self.peak_mib - self.baseline_mib


@contextlib.asynccontextmanager
async def watch_rss(api: ApiProcess) -> AsyncIterator[RssWatch]:
    """Samples the API's RSS every SAMPLE_SECONDS for as long as the block runs."""
    watch = RssWatch(baseline_mib=api.rss_mib(), peak_mib=api.rss_mib())

    async def sample() -> None:
        while True:
            watch.peak_mib = max(watch.peak_mib, api.rss_mib())
            await asyncio.sleep(SAMPLE_SECONDS)

    sampler = asyncio.create_task(sample())
    try:
        yield watch
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        watch.peak_mib = max(watch.peak_mib, api.rss_mib())


def machine_slowdown() -> float:
    """How many times over the machine is loaded (1.0 when it has a core to spare per task).

    The time targets hold on a machine with room to spare; on a shared one
    running at, say, eight runnable tasks per core, nothing answers on time.
    Time bounds are multiplied by this, and the figures are printed.
    """
    cpus = os.cpu_count() or 1
    return max(1.0, os.getloadavg()[0] / cpus)
