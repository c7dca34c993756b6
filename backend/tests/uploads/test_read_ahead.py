"""read_ahead: the start of a body read while something else runs, then the whole body in order."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from vidvault.uploads.read_ahead import read_ahead

PIECES = [bytes([n]) * 100 for n in range(10)]


class Body:
    """A request body of PIECES that records how far it has been read."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.read = 0
        self.fail_after = fail_after
        self.closed = asyncio.Event()
        self.two_read = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            for index, piece in enumerate(PIECES):
                if index == self.fail_after:
                    raise ConnectionResetError("the client went away")
                await asyncio.sleep(0)  # a receive that waits for the network
                self.read += 1
                if self.read == 2:
                    self.two_read.set()
                yield piece
        finally:
            self.closed.set()


async def test_the_body_comes_whole_and_in_order_with_only_its_start_read_ahead() -> None:
    body = Body()
    async with read_ahead(body, limit=250) as early:
        await asyncio.sleep(0.05)  # the claim: long enough to read everything, were it allowed
        assert body.read == 3  # 300 bytes: the piece that crosses the limit is the last one
        assert [piece async for piece in early] == PIECES
    assert body.read == len(PIECES)


async def test_a_body_shorter_than_the_limit_ends_during_the_read_ahead() -> None:
    async with read_ahead(Body(), limit=10_000) as early:
        await asyncio.sleep(0.05)
        assert b"".join([piece async for piece in early]) == b"".join(PIECES)


async def _consume(early: AsyncIterator[bytes], into: list[bytes]) -> None:
    async for piece in early:
        into.append(piece)


async def test_a_client_gone_during_the_read_ahead_fails_after_the_pieces_that_came() -> None:
    received: list[bytes] = []
    async with read_ahead(Body(fail_after=2), limit=10_000) as early:
        await asyncio.sleep(0.05)
        with pytest.raises(ConnectionResetError):
            await _consume(early, received)
    assert received == PIECES[:2]


async def _claim_refused_while_reading(body: Body) -> None:
    async with read_ahead(body, limit=10_000):
        await body.two_read.wait()
        raise LookupError("the claim was refused")  # 409: the body is abandoned


async def test_leaving_before_consuming_stops_the_reading() -> None:
    body = Body()
    with pytest.raises(LookupError):
        await _claim_refused_while_reading(body)
    assert body.closed.is_set()  # stopped inside a receive, at once
    await asyncio.sleep(0.05)
    assert body.read < len(PIECES)
