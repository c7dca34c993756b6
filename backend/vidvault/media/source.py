"""A read-only, seekable file over a stored video that fetches only what is read.

FFmpeg reads through this object in small pieces and seeks freely (an MP4's
index can sit at the end). Each read is served from a block fetched whole
from the database; a few recent blocks are kept, so reading back and forth
near one place costs no further round trips, and a seek to the far end of a
large file costs one block, not the bytes in between.
"""

import io
from collections import OrderedDict
from collections.abc import Buffer, Callable

# Fetch [start, end) of the file: blocking, called from FFmpeg's thread.
type RangeFetcher = Callable[[int, int], bytes]

PROBE_BLOCK_BYTES = 256 * 1024  # seeking reads (probe, poster, storyboard)
SEQUENTIAL_BLOCK_BYTES = 4 * 1024 * 1024  # a transcode reads everything, in order
CACHED_BLOCKS = 4


class StoredFileReader(io.RawIOBase):
    def __init__(self, size: int, fetch: RangeFetcher, block_bytes: int = PROBE_BLOCK_BYTES):
        super().__init__()
        self._size = size
        self._fetch = fetch
        self._block_bytes = block_bytes
        self._position = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self.bytes_fetched = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes from one block: short reads are fine for FFmpeg."""
        if self._position >= self._size or size == 0:
            return b""
        index, offset = divmod(self._position, self._block_bytes)
        block = self._block(index)
        end = len(block) if size < 0 else min(len(block), offset + size)
        self._position += end - offset
        return block[offset:end]

    def readinto(self, buffer: Buffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _block(self, index: int) -> bytes:
        block = self._blocks.get(index)
        if block is not None:
            self._blocks.move_to_end(index)
            return block
        start = index * self._block_bytes
        block = self._fetch(start, min(start + self._block_bytes, self._size))
        self.bytes_fetched += len(block)
        self._blocks[index] = block
        if len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block
