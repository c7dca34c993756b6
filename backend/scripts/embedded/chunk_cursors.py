"""Server-side cursors over chunk queries: one page of rows in memory at a time.

Ids start far above mongoeco's own (which count from 1), so the wire layer
can tell whose `getMore` a request is. Like MongoDB, a cursor left idle for
ten minutes is closed.
"""

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from bson.raw_bson import RawBSONDocument
from mongoeco.errors import OperationFailure

from scripts.embedded.chunk_store import Doc

FIRST_CURSOR_ID = 1 << 30  # int32 on the wire: mongoeco validates getMore ids as plain ints
DEFAULT_FIRST_BATCH = 101
MAX_BATCH_BYTES = 16 * 1024 * 1024  # MongoDB's cap on one reply's documents
IDLE_TIMEOUT_SECONDS = 600
CURSOR_NOT_FOUND = 43

# A document as a reply carries it: decoded, or the BSON bytes it was stored as.
type Sendable = Doc | RawBSONDocument


def approximate_size(doc: Sendable) -> int:
    if isinstance(doc, RawBSONDocument):
        return len(doc.raw)  # reading a field would decode it whole
    data = doc.get("data")
    return 256 + (len(data) if isinstance(data, bytes) else 0)


@dataclass
class ChunkCursor:
    ns: str
    documents: Iterator[Sendable]
    remaining: int | None = None  # what the find's limit still allows
    last_used: float = field(default_factory=time.monotonic)
    exhausted: bool = False

    def next_batch(self, size: int | None) -> list[Sendable]:
        """Up to `size` documents (no limit: until the byte cap); runs in a worker thread."""
        if self.remaining is not None:
            size = self.remaining if size is None else min(size, self.remaining)
        batch: list[Sendable] = []
        total = 0
        while (size is None or len(batch) < size) and (not batch or total < MAX_BATCH_BYTES):
            doc = next(self.documents, None)
            if doc is None:
                self.exhausted = True
                break
            batch.append(doc)
            total += approximate_size(doc)
        if self.remaining is not None:
            self.remaining -= len(batch)
            self.exhausted |= self.remaining == 0  # as MongoDB: closed with the last one
        self.last_used = time.monotonic()
        return batch


class ChunkCursors:
    def __init__(self) -> None:
        self._ids = itertools.count(FIRST_CURSOR_ID)
        self._open: dict[int, ChunkCursor] = {}

    def owns(self, cursor_id: int) -> bool:
        return cursor_id >= FIRST_CURSOR_ID

    def keep(self, cursor: ChunkCursor) -> int:
        """The id to return for `cursor`: 0 when it has nothing more."""
        self._close_idle()
        if cursor.exhausted:
            return 0
        cursor_id = next(self._ids)
        self._open[cursor_id] = cursor
        return cursor_id

    def get(self, cursor_id: int, ns: str) -> ChunkCursor:
        cursor = self._open.get(cursor_id)
        if cursor is None or cursor.ns != ns:
            raise OperationFailure(f"cursor id {cursor_id} not found", code=CURSOR_NOT_FOUND)
        return cursor

    def release(self, cursor_id: int) -> None:
        """Forget a cursor once it is exhausted."""
        self._open.pop(cursor_id, None)

    def kill(self, cursor_ids: list[int]) -> tuple[list[int], list[int]]:
        killed = [cursor_id for cursor_id in cursor_ids if self._open.pop(cursor_id, None)]
        return killed, [cursor_id for cursor_id in cursor_ids if cursor_id not in killed]

    def _close_idle(self) -> None:
        deadline = time.monotonic() - IDLE_TIMEOUT_SECONDS
        for cursor_id in [i for i, c in self._open.items() if c.last_used < deadline]:
            del self._open[cursor_id]
