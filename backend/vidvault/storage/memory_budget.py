"""A bound on the bytes of chunk batches a process holds, over every reader.

Each reader holds its batch being consumed and the one read ahead; a client
that stops reading makes its stream let go of both only after a moment
(videos/streaming.py). A hundred such clients arriving at once would hold a
hundred streams' batches at the same time. Readers therefore reserve a
batch's bytes before reading it and give them back once it is consumed, so
what every reader holds together never exceeds the budget, however many
clients there are: past it, reads wait their turn (first come, first served).
"""

import asyncio
from collections import deque
from contextlib import suppress


class MemoryBudget:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._free = capacity
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def free(self) -> int:
        return self._free

    async def reserve(self, size: int) -> int:
        """Waits until `size` bytes (at most the capacity) are free and takes them; returns
        what was taken, for `release`."""
        size = min(size, self.capacity)
        if not self._waiting and size <= self._free:
            self._free -= size
            return size
        granted = asyncio.get_running_loop().create_future()
        entry = (size, granted)
        self._waiting.append(entry)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release(size)  # granted, then cancelled before it could be used
            else:
                with suppress(ValueError):  # _grant may have passed over it already
                    self._waiting.remove(entry)
                self._grant()  # the request behind this one may fit now
            raise
        return size

    def release(self, size: int) -> None:
        self._free += size
        self._grant()

    def _grant(self) -> None:
        while self._waiting and self._waiting[0][0] <= self._free:
            size, granted = self._waiting.popleft()
            if not granted.cancelled():
                self._free -= size
                granted.set_result(None)
