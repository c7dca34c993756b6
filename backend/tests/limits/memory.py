"""The API process's resident memory while an attack runs: baseline, peak, and after."""

import asyncio
import contextlib
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
