"""A TCP proxy that forwards a connection faithfully until it has carried N bytes, then cuts it.

What a dropped link does to a request in flight: the server sees the body
stop and the connection close, the client sees a reset.
"""

import asyncio
import contextlib


class CuttingProxy:
    def __init__(self, target_port: int, cut_after: int | None = None) -> None:
        self.target_port = target_port
        self.cut_after = cut_after  # bytes from clients to the server, over all connections
        self.forwarded = 0
        self.cut = False
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> "CuttingProxy":
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _connection(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        upstream = asyncio.create_task(self._pipe(client_r, server_w, counted=True))
        downstream = asyncio.create_task(self._pipe(server_r, client_w, counted=False))
        try:
            await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
        finally:
            # The server gets a plain close (FIN): it reads every byte that made
            # it through, as after a link that went down. A reset would make its
            # kernel drop bytes not yet read. The client gets a reset.
            server_w.close()
            client_w.transport.abort()
            for task in (upstream, downstream):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await task
            self._handlers.discard(handler)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, counted: bool
    ) -> None:
        while data := await reader.read(64 * 1024):
            if counted and self.cut_after is not None and not self.cut:
                room = self.cut_after - self.forwarded
                if len(data) >= room:
                    writer.write(data[:room])
                    await writer.drain()
                    self.forwarded += room
                    self.cut = True
                    return  # the link drops here
            if counted:
                self.forwarded += len(data)
            writer.write(data)
            await writer.drain()
