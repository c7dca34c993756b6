"""The memory engine's chunk store lives in a scratch directory that goes with its process."""

from pathlib import Path

from scripts.embedded.scratch import PREFIX, scratch_root
from tests.embedded_db import start_embedded_mongo


def _scratch_of(pid: int) -> list[Path]:
    return list(scratch_root().glob(f"{PREFIX}{pid}-*"))


def test_the_scratch_goes_with_the_process_and_a_killed_ones_at_the_next_start() -> None:
    stopped = start_embedded_mongo(engine="memory")
    assert len(_scratch_of(stopped.process.pid)) == 1
    stopped.stop()
    assert _scratch_of(stopped.process.pid) == []

    killed = start_embedded_mongo(engine="memory")
    killed.kill()  # SIGKILL: it cannot clean up
    assert len(_scratch_of(killed.process.pid)) == 1
    successor = start_embedded_mongo(engine="memory")
    try:
        assert _scratch_of(killed.process.pid) == []
    finally:
        successor.stop()
