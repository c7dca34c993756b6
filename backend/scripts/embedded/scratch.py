"""Where the memory engine keeps its chunk store: a scratch directory gone with the process.

In the temporary directory: without fsync (the store is opened with
durable=False) its pages stay in the page cache, which the kernel can reclaim
under memory pressure, unlike a file in /dev/shm; measured, both serve chunks
equally fast (bench/NOTES.md). A process killed with SIGKILL cannot remove
its own directory, so each start removes those of launchers that are gone.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "vidvault-memory-db-"


def scratch_root() -> Path:
    return Path(tempfile.gettempdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_abandoned(root: Path) -> None:
    """Scratch directories whose launcher (the pid in the name) no longer runs."""
    for directory in root.glob(f"{PREFIX}*-*"):
        pid = directory.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def scratch_directory() -> Iterator[Path]:
    root = scratch_root()
    remove_abandoned(root)
    directory = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
