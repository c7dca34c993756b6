"""The stored file's bytes as an ASGI response.

Everything that can fail as an HTTP error (ownership, the Range header,
conditional requests) is decided before this response is built. Once the
first byte is out, a database failure can only end the connection.
"""

import anyio
from bson import ObjectId
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from vidvault.storage import FileStorage
from vidvault.videos.ranges import ByteRange


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
            await self._send_range(send)
            group.cancel_scope.cancel()

    async def _cancel_on_disconnect(self, receive: Receive, scope: anyio.CancelScope) -> None:
        message: Message = {}
        while message.get("type") != "http.disconnect":
            message = await receive()
        scope.cancel()

    async def _send_range(self, send: Send) -> None:
        # The storage reader fetches the next batch while this one goes out,
        # so the database and the socket work at the same time.
        start, end = self._range.start, self._range.end
        async with self._storage.read_range(self._file_id, self._chunk_size, start, end) as pieces:
            async for piece in pieces:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
