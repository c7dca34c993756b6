"""The stored file's bytes as an ASGI response.

Everything that can fail as an HTTP error (ownership, the Range header,
conditional requests) is decided before this response is built. Once the
first byte is out, a database failure can only end the connection.

A client that stops reading must cost the process almost nothing while it
is stopped (a paused <video>, or a hundred hostile sockets). So the range is
read in windows that start at one chunk and double while the client keeps
up, like TCP's slow start. A window is read only once the socket drains (an
empty body message waits for that), and before each piece the response asks
again; if the socket does not drain within STALL_SECONDS, the window's reader
is closed, freeing its batches, and the response waits for the client holding
nothing but what the socket holds. Then it starts again with one chunk. A client that never reads
again is cut off by the server's send timeout (vidvault/server).

What the server keeps of a body it could not write references the whole
object handed to it, so a chunk is handed over in parts: as much as the
kernel takes at once, without a copy (core/send_room), and when it takes
nothing more, a copy of at most COPY_BYTES, which is then all the server
holds for a client that stopped reading.
"""

import anyio
from bson import ObjectId
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from vidvault.core.send_room import SendRoom, send_room
from vidvault.storage import FileStorage
from vidvault.videos.ranges import ByteRange

STALL_SECONDS = 0.25
FIRST_WINDOW_CHUNKS = 1
# Below uvicorn's 64 KiB high-water mark (two such copies pause the writer).
COPY_BYTES = 64 * 1024
# Waits until the socket drains, sends nothing (uvicorn waits before each write).
_DRAINED: Message = {"type": "http.response.body", "body": b"", "more_body": True}


class StoredRangeResponse(Response):
    def __init__(
        self,
        storage: FileStorage,
        file_id: ObjectId,
        chunk_size: int,
        byte_range: ByteRange,
        *,
        status_code: int,
        headers: dict[str, str],
        media_type: str,
        send_body: bool,
    ) -> None:
        super().__init__(status_code=status_code, headers=headers, media_type=media_type)
        self.headers["content-length"] = str(byte_range.length)
        self._storage = storage
        self._file_id = file_id
        self._chunk_size = chunk_size
        self._range = byte_range
        self._send_body = send_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if not self._send_body:
            await send({"type": "http.response.body", "body": b""})
            return
        async with anyio.create_task_group() as group:
            # ASGI servers before spec 2.4 drop writes to a closed connection
            # silently: watch for the disconnect so a gone client stops the reads.
            group.start_soon(self._cancel_on_disconnect, receive, group.cancel_scope)
            await self._send_range(send, send_room(scope))
            group.cancel_scope.cancel()

    async def _cancel_on_disconnect(self, receive: Receive, scope: anyio.CancelScope) -> None:
        message: Message = {}
        while message.get("type") != "http.disconnect":
            message = await receive()
        scope.cancel()

    async def _send_range(self, send: Send, room: SendRoom) -> None:
        position, end, window = self._range.start, self._range.end, FIRST_WINDOW_CHUNKS
        while position <= end:
            # Nothing is read for a client that is not reading: the wait holds
            # nothing but the socket's buffers.
            await send(_DRAINED)
            window_end = min(end, (position // self._chunk_size + window) * self._chunk_size - 1)
            sent, kept_up = await self._send_window(send, room, position, window_end)
            position += sent
            window = window * 2 if kept_up else FIRST_WINDOW_CHUNKS
        await send({"type": "http.response.body", "body": b""})

    async def _send_window(
        self, send: Send, room: SendRoom, start: int, end: int
    ) -> tuple[int, bool]:
        """Sends `start..end`; returns the bytes sent and whether the client kept up."""
        sent = 0
        # The storage reader fetches the next batch while this one goes out,
        # so the database and the socket work at the same time.
        async with self._storage.read_range(self._file_id, self._chunk_size, start, end) as pieces:
            async for piece in pieces:
                rest = memoryview(piece)
                while rest:
                    # Room means our write buffer is empty: no need to wait for it.
                    if (space := room()) < min(len(rest), COPY_BYTES):
                        if not await _drains_promptly(send):
                            return sent, False  # leaving the block frees the reader's batches
                        space = room()
                    part = next_part(rest, space)
                    await send({"type": "http.response.body", "body": part, "more_body": True})
                    sent += len(part)
                    rest = rest[len(part) :]
        return sent, True


def next_part(rest: memoryview, room: int) -> memoryview | bytes:
    """What to hand the server next: what the kernel takes whole, else a small copy."""
    if room >= min(len(rest), COPY_BYTES):
        return rest[:room]
    return bytes(rest[:COPY_BYTES])


async def _drains_promptly(send: Send) -> bool:
    # Cancelling this send is safe: it has written nothing while it waits.
    with anyio.move_on_after(STALL_SECONDS) as waited:
        await send(_DRAINED)
    return not waited.cancelled_caught
