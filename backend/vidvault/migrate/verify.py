"""After a copy: counts per collection, and a checksum of every GridFS file on both sides."""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from vidvault.migrate.copy import RawDatabase, is_chunks

CHUNK_BATCH = 8


@dataclass(frozen=True)
class CountCheck:
    collection: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class FileCheck:
    bucket: str
    file_id: Any
    length: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_sha256 == self.target_sha256


async def count_checks(source: RawDatabase, target: RawDatabase) -> list[CountCheck]:
    names = sorted(n for n in await source.list_collection_names() if not n.startswith("system."))
    return [
        CountCheck(
            name, await source[name].count_documents({}), await target[name].count_documents({})
        )
        for name in names
    ]


async def file_sha256(db: RawDatabase, bucket: str, file_id: Any) -> str:
    """SHA-256 of a GridFS file's bytes, read chunk by chunk in order."""
    digest = hashlib.sha256()
    chunks = db[f"{bucket}.chunks"].find(
        {"files_id": file_id}, sort=[("n", 1)], batch_size=CHUNK_BATCH
    )
    async with chunks as cursor:
        async for chunk in cursor:
            digest.update(bytes(chunk["data"]))
    return digest.hexdigest()


async def _files(db: RawDatabase, bucket: str) -> AsyncIterator[tuple[Any, int]]:
    async with db[f"{bucket}.files"].find({}, {"length": True}, sort=[("_id", 1)]) as cursor:
        async for doc in cursor:
            yield doc["_id"], int(doc.get("length", 0))


async def file_checks(source: RawDatabase, target: RawDatabase) -> list[FileCheck]:
    names = await source.list_collection_names()
    buckets = sorted(name.removesuffix(".chunks") for name in names if is_chunks(name))
    checks = []
    for bucket in buckets:
        async for file_id, length in _files(source, bucket):
            checks.append(
                FileCheck(
                    bucket,
                    file_id,
                    length,
                    await file_sha256(source, bucket, file_id),
                    await file_sha256(target, bucket, file_id),
                )
            )
    return checks
