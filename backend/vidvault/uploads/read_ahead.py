"""Reading the start of a request body while the request waits for something else.

A resumable upload's PATCH first claims the upload (a database round trip)
and only then may store bytes. Receiving the first write batch meanwhile
means the first insert starts as soon as the claim is made, instead of one
batch's worth of receiving later. At most `limit` bytes (plus the piece that
crosses it) are held; nothing is read past them until the body is consumed.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def read_ahead(body: AsyncIterable[bytes], limit: int) -> AsyncIterator[AsyncIterator[bytes]]:
    """`async with read_ahead(body, limit) as body: ...`: the same body, its start read already.

    Iterating yields every piece in order. An error of the body (the client
    gone) comes after the pieces received before it, as it would have without
    the read-ahead. Leaving the block stops the reading.
    """
    early = _EarlyPieces(body, limit)
    reading = asyncio.ensure_future(early.read())
    try:
        yield early.replayed(reading)
    finally:
        if not reading.done():
            reading.cancel()  # the body is abandoned: the claim failed
            await asyncio.wait([reading])


class _EarlyPieces:
    def __init__(self, body: AsyncIterable[bytes], limit: int) -> None:
        self._body = aiter(body)
        self._limit = limit
        self._pieces: deque[bytes] = deque()
        self._error: Exception | None = None

    async def read(self) -> bool:
        """Reads up to the limit; whether the body has ended (or failed) meanwhile."""
        held = 0
        try:
            while held < self._limit:
                piece = await anext(self._body)
                self._pieces.append(piece)
                held += len(piece)
        except StopAsyncIteration:
            return True
        except Exception as error:  # the client gone: given to the consumer after the pieces
            self._error = error
            return True
        return False

    async def replayed(self, reading: asyncio.Future[bool]) -> AsyncIterator[bytes]:
        ended = await reading
        while self._pieces:
            yield self._pieces.popleft()
        if self._error is not None:
            raise self._error
        if not ended:
            async for piece in self._body:
                yield piece
