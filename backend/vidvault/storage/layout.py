"""Where GridFS keeps a file, in the standard layout every driver and `mongofiles` read.

`fs.files` holds one document per whole file (`_id`, `length`, `chunkSize`,
`uploadDate`, `filename`, `metadata`); `fs.chunks` holds its bytes as
documents `{files_id, n, data}`, every chunk `chunkSize` bytes but the last.
"""

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

type Doc = dict[str, Any]

BUCKET = "fs"
FILES = f"{BUCKET}.files"
CHUNKS = f"{BUCKET}.chunks"


@dataclass(frozen=True, slots=True)
class Collections:
    files: AsyncCollection[Doc]
    chunks: AsyncCollection[Doc]

    @classmethod
    def of(cls, db: AsyncDatabase[Doc]) -> "Collections":
        return cls(files=db[FILES], chunks=db[CHUNKS])


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A whole file: what its `fs.files` document says."""

    id: ObjectId
    length: int
    chunk_size: int
    filename: str
    metadata: Doc

    @classmethod
    def from_document(cls, doc: Doc) -> "StoredFile":
        return cls(
            id=doc["_id"],
            length=int(doc["length"]),
            chunk_size=int(doc["chunkSize"]),
            filename=doc.get("filename", ""),
            metadata=doc.get("metadata") or {},
        )


def chunk_count(length: int, chunk_size: int) -> int:
    return -(-length // chunk_size)


def chunk_document(file_id: ObjectId, n: int, data: bytes) -> Doc:
    return {"files_id": file_id, "n": n, "data": data}


async def ensure_indexes(collections: Collections) -> None:
    # Created up front (drivers create them lazily, on a bucket's first write):
    # every ranged read and every chunk count relies on the (files_id, n) index.
    await collections.chunks.create_index(
        [("files_id", ASCENDING), ("n", ASCENDING)], unique=True, name="files_id_1_n_1"
    )
    await collections.files.create_index(
        [("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_1_uploadDate_1"
    )
