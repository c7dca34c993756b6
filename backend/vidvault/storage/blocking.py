"""A stored file as a blocking, seekable binary file, for libraries that read in a thread.

PyAV, Pillow and the like take a file object and call `read`/`seek` from
the worker thread they run in. Open it inside `anyio.to_thread.run_sync`:
each call hops back to the event loop that owns the database connection.
"""

import io

import anyio.from_thread

from vidvault.storage.reader import SeekableFile


class BlockingFile(io.RawIOBase):
    def __init__(self, file: SeekableFile) -> None:
        super().__init__()
        self._file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        return anyio.from_thread.run(self._file.read, size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
