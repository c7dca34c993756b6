"""Stored files: the only code that knows GridFS's layout (`fs.files`, `fs.chunks`).

Files keep the standard GridFS layout, so `mongofiles` and every driver's
GridFS reader read them. Everything else in Vidvault goes through
`FileStorage` (one per process: `Database.storage`).

Writing
    writer = storage.new_file(filename, metadata)          # FileWriter, fresh id
    await writer.write(data)                               # as bytes arrive
    stored = await writer.close()                          # -> StoredFile, now visible
    # or: `async with storage.new_file(...) as writer:` closes on success, aborts on error
    stored = await storage.write_file(data, filename, metadata)   # small whole files

    Chunks are written in bounded batches (WRITE_BATCH_BYTES), one insert in
    flight while the next fills. The file document is written last, after
    its chunks are counted: a file is visible only when whole.

Resuming an unfinished file (resumable uploads)
    writer = await storage.open_append(file_id, chunk_size, offset, filename, metadata)
    await writer.write(data)
    offset = await writer.suspend()    # everything stored, the file stays unfinished
    stored = await writer.close()      # or: the last bytes are in, make it whole

    The partial last chunk is stored like any chunk and read back by the next
    `open_append`, in whichever process takes it: nothing lives in memory
    between two writes. Chunks past the offset, left by a writer that died
    before its offset was recorded, are dropped first; a caller that knows
    there are none passes `drop_past_offset=False` and saves that write.

Reading
    async with storage.read_range(file_id, chunk_size, start, end) as pieces:
        async for piece in pieces: ...                     # bytes start..end inclusive
    file = await storage.open_file(file_id)                # SeekableFile: read/seek/tell/size
    data = await storage.read_file(file_id)                # small whole files
    stored = await storage.stat(file_id)                   # StoredFile | None
    BlockingFile(file)                                     # the same, blocking, in a worker thread

    A range is one `(files_id, n)` index range query in batches of at most
    READ_BATCH_BYTES, with one batch read ahead; at most CHUNK_IO_SLOTS batch
    reads run at once per process, and the batches every reader holds stay
    within the storage's read budget (MemoryBudget, CHUNK_READ_MEMORY_BYTES).

Removing
    await storage.delete(file_id)        # document first, then chunks; idempotent
    await storage.delete_many(file_ids)

    One order everywhere: an interrupted delete leaves only chunks without a
    document, which no reader sees and the sweeper collects.

Orphans (for the sweeper), given `owned(ids) -> set of ids something owns`
    storage.unowned_files(cutoff, owned)                 # whole files closed before cutoff
    storage.abandoned_unfinished_files(cutoff, owned)    # chunks unwritten since cutoff
"""

from vidvault.storage.blocking import BlockingFile
from vidvault.storage.layout import StoredFile
from vidvault.storage.orphans import OwnedAmong
from vidvault.storage.reader import CorruptFile, RangeReader, SeekableFile
from vidvault.storage.store import FileNotFound, FileStorage
from vidvault.storage.writer import WRITE_BATCH_BYTES, FileWriter, MissingChunks

__all__ = [
    "WRITE_BATCH_BYTES",
    "BlockingFile",
    "CorruptFile",
    "FileNotFound",
    "FileStorage",
    "FileWriter",
    "MissingChunks",
    "OwnedAmong",
    "RangeReader",
    "SeekableFile",
    "StoredFile",
]
