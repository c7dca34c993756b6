"""Freed upload and stream buffers are kept for the next request, not faulted in again.

Each case runs in a fresh interpreter: the thresholds are process-wide, and
the point is what glibc does from a clean start. A burst frees 8 MiB of
2 MiB buffers at once, as a PATCH does when it ends.
"""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[1]
BURSTS = 20
PAGES_PER_BURST = 4 * 2 * 1024 * 1024 // 4096

_SCRIPT = f"""
import resource, sys
from vidvault.core.allocator import keep_freed_buffers
if sys.argv[1] == "kept":
    assert keep_freed_buffers()
def burst():
    buffers = [bytearray(2 * 1024 * 1024) for _ in range(4)]
    del buffers
burst()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range({BURSTS}):
    burst()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _page_faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout)


glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")


@glibc_only
def test_without_the_thresholds_every_burst_faults_its_pages_in_again() -> None:
    # The behaviour the module exists for: glibc trims the freed heap top.
    assert _page_faults("default") > BURSTS * PAGES_PER_BURST // 2


@glibc_only
def test_with_the_thresholds_freed_buffers_are_reused_without_faults() -> None:
    assert _page_faults("kept") < PAGES_PER_BURST // 4
