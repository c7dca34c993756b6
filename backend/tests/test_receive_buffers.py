"""The driver's reply buffers are allocated without zeroing (storage/receive_buffers.py),
and every reply still arrives whole and exact."""

import inspect
import os
import uuid
from typing import Any

import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient, network_layer
from pymongo.network_layer import PyMongoProtocol

from vidvault.storage import receive_buffers
from vidvault.storage.receive_buffers import UNZEROED_FROM, receive_buffer


def test_the_pinned_driver_allocates_each_reply_through_the_swapped_name() -> None:
    # If a new pymongo allocated another way, install() would silently do nothing.
    source = inspect.getsource(PyMongoProtocol.buffer_updated)
    assert "bytearray(self._message_size)" in source


def test_install_swaps_the_drivers_allocation() -> None:
    receive_buffers.install()
    receive_buffers.install()  # idempotent
    assert network_layer.bytearray is receive_buffer  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [0, 16, UNZEROED_FROM - 1, UNZEROED_FROM, 2 * 1024 * 1024 + 7])
def test_a_buffer_has_the_size_asked_for_and_can_be_filled(size: int) -> None:
    buffer = receive_buffer(size)
    assert type(buffer) is bytearray
    assert len(buffer) == size
    payload = os.urandom(size)
    memoryview(buffer)[:] = payload
    assert buffer == payload


def test_small_buffers_are_zeroed_as_before() -> None:
    assert receive_buffer(UNZEROED_FROM - 1) == bytes(UNZEROED_FROM - 1)


async def test_large_replies_arrive_exact_through_unzeroed_buffers(mongodb_url: str) -> None:
    receive_buffers.install()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    collection = client[f"receive_{uuid.uuid4().hex[:8]}"]["blobs"]
    try:
        ids = sorted(ObjectId() for _ in range(3))
        blobs: list[dict[str, Any]] = [
            {"_id": id_, "data": os.urandom(size)}
            for id_, size in zip(ids, (3, 70_000, 3_000_000), strict=True)
        ]
        await collection.insert_many([dict(blob) for blob in blobs])
        for _ in range(3):  # buffers reused from freed memory hold old bytes: still exact
            found = await collection.find({}, sort=[("_id", 1)]).to_list()
            assert found == blobs
    finally:
        await client.drop_database(collection.database.name)
        await client.close()
