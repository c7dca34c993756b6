"""Our stores' cursor replies are the very bytes mongoeco would have sent, copied once."""

from typing import Any

import bson
import pytest
from bson import ObjectId
from bson.raw_bson import RawBSONDocument
from mongoeco.wire.bson_bridge import decode_wire_value
from mongoeco.wire.protocol import encode_op_msg_response

from scripts.embedded.cursor_replies import cursor_reply

NS = "vidvault.fs.chunks"


def _chunk(n: int, size: int) -> dict[str, Any]:
    # As the chunk store decodes a row: mongoeco's types, the bytes last.
    meta = decode_wire_value(bson.decode(bson.encode({"_id": ObjectId(), "files_id": ObjectId()})))
    return {**meta, "n": n, "data": bytes([n % 251]) * size}


BATCHES = {
    "chunks": [_chunk(0, 1 << 20), _chunk(1, 1 << 20)],
    "projected chunks": [{"n": 7, "data": b"\x00\x01\x02"}],
    "empty": [],
    "stored documents": [RawBSONDocument(bson.encode({"_id": 1, "title": "Fête", "terms": ["f"]}))],
    "bytes not last": [{"data": b"abc", "n": 1}],
    "no bytes": [{"_id": 1, "nested": {"a": [1, 2.5, None, "x"]}}],
}


@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
@pytest.mark.parametrize("cursor_id", [0, 1 << 30, 1 << 40])
@pytest.mark.parametrize("batch_key", ["firstBatch", "nextBatch"])
def test_the_message_is_mongoecos_byte_for_byte(
    batch: list[Any], cursor_id: int, batch_key: str
) -> None:
    reply = cursor_reply(batch_key, batch, cursor_id, NS)
    plain = {"cursor": {batch_key: batch, "id": cursor_id, "ns": NS}, "ok": 1.0}
    expected = encode_op_msg_response(plain, request_id=41, response_to=42)
    assert bytes(reply.framed(41, 42)) == expected
    # Still the reply document, for any path that encodes it the usual way.
    assert encode_op_msg_response(reply, request_id=41, response_to=42) == expected
