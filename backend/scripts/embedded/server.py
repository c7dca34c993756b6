"""mongoeco's wire server, with some collections answered by stores of our own.

GridFS chunk collections live in the chunk store, `videos` (which needs real
secondary indexes) and `uploads` (written on every resumable PATCH) in the
document store. The split is made
per command, at the wire: a command on one of those collections (or a
getMore on one of its cursors) goes to StoreCommands, every other command to
mongoeco unchanged, and `listCollections`/`dropDatabase` see all of them.
This relies on private seams of mongoeco's proxy (its `_executor` attribute,
the executor's three methods the proxy calls, and `_render_wire_result`, which
sends our cursor replies as framed by cursor_replies.py), hence the exact
`mongoeco==4.11.0` pin in pyproject.toml.
"""

from typing import Any

from mongoeco.errors import OperationFailure
from mongoeco.wire import AsyncMongoEcoProxyServer
from mongoeco.wire.protocol import OP_MSG

from scripts.embedded.chunk_store import ChunkStore, Doc
from scripts.embedded.cursor_replies import EncodedReply
from scripts.embedded.doc_store import DocumentStore
from scripts.embedded.store_commands import StoreCommands, chunk_backend, document_backend

OPERATION_NOT_SUPPORTED_IN_TRANSACTION = 263


class StoreRoutingExecutor:
    """Stands in for mongoeco's WireCommandExecutor inside its proxy server."""

    def __init__(self, inner: Any, stores: StoreCommands) -> None:
        self._inner = inner
        self._stores = stores

    def _build_request_context(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner._build_request_context(*args, **kwargs)

    def error_document(self, error: Exception) -> Doc:
        document: Doc = self._inner.error_document(error)
        return document

    async def execute_prepared(self, context: Any) -> Doc:
        name, command, db_name = context.command_name, context.command_document, context.db_name
        if self._stores.owns(name, command):
            if context.raw_body.get("autocommit") is False:
                raise OperationFailure(
                    f"transactions do not cover the {name} command's collection"
                    " in the embedded database",
                    code=OPERATION_NOT_SUPPORTED_IN_TRANSACTION,
                )
            return await self._stores.execute(db_name, name, command)
        result: Doc = await self._inner.execute_prepared(context)
        if name == "listCollections" and result.get("ok"):
            batch = result["cursor"]["firstBatch"]
            listed = {info.get("name") for info in batch}
            extra = await self._stores.collection_infos(db_name, command)
            batch.extend(info for info in extra if info["name"] not in listed)
        elif name == "dropDatabase" and result.get("ok"):
            await self._stores.drop_database(db_name)
        return result


class EmbeddedMongoServer(AsyncMongoEcoProxyServer):  # type: ignore[misc]
    def __init__(
        self,
        *,
        engine: Any,
        chunk_store: ChunkStore,
        document_store: DocumentStore,
        host: str,
        port: int,
    ) -> None:
        super().__init__(engine=engine, host=host, port=port)
        inner: Any = self._executor  # type: ignore[has-type]
        stores = StoreCommands([chunk_backend(chunk_store), document_backend(document_store)])
        self._executor = StoreRoutingExecutor(inner, stores)
        self._stores = (chunk_store, document_store)

    def _render_wire_result(self, header: Any, request_id: int, state: Any) -> Any:
        # A cursor reply of our stores comes framed already (cursor_replies.py);
        # anything else, and any reply not sent as such, mongoeco encodes.
        result = state.result
        if (
            isinstance(result, EncodedReply)
            and header.op_code == OP_MSG
            and state.disposition != "suppress"
        ):
            state.phase = "encode"
            state.response = "ready"
            return result.framed(request_id, header.request_id)
        return super()._render_wire_result(header, request_id, state)

    async def close(self) -> None:
        await super().close()
        for store in self._stores:
            store.close()  # checkpoints the WAL; a kill -9 instead loses nothing either
