"""`vidvault migrate`: everything from one MongoDB (or the embedded one) into another."""

import sys
from typing import TextIO

from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from vidvault.migrate.copy import RawDatabase, copy_database
from vidvault.migrate.verify import count_checks, file_checks

DEFAULT_DB = "vidvault"


def _client(url: str) -> AsyncMongoClient[RawBSONDocument]:
    return AsyncMongoClient(url, document_class=RawBSONDocument, appname="vidvault-migrate")


async def migrate(source_url: str, target_url: str, db_name: str, out: TextIO = sys.stdout) -> bool:
    """Copy, then verify; True when every count and every file's checksum match.

    The database name comes from each URL's path when it has one, else `db_name`.
    """
    source_client, target_client = _client(source_url), _client(target_url)
    try:
        source = source_client.get_default_database(db_name)
        target = target_client.get_default_database(db_name)
        if source_url == target_url and source.name == target.name:
            print("the source and the target are the same database", file=out)
            return False
        print(f"copying {source.name} into {target.name} ...", file=out)
        for report in await copy_database(source, target):
            resumed = (
                "" if report.resumed_after is None else f" (resumed at _id {report.resumed_after})"
            )
            print(f"  {report.name}: {report.copied} documents written{resumed}", file=out)
        return await _verify(source, target, out)
    finally:
        await source_client.close()
        await target_client.close()


async def _verify(source: RawDatabase, target: RawDatabase, out: TextIO) -> bool:
    print("verification:", file=out)
    counts = await count_checks(source, target)
    for check in counts:
        verdict = "ok" if check.ok else "MISMATCH"
        print(
            f"  {check.collection}: {check.source} in source, {check.target} in target, {verdict}",
            file=out,
        )
    files = await file_checks(source, target)
    for file in files:
        verdict = "ok" if file.ok else f"MISMATCH (target sha256 {file.target_sha256})"
        print(
            f"  {file.bucket} file {file.file_id}: {file.length} bytes,"
            f" sha256 {file.source_sha256} {verdict}",
            file=out,
        )
    ok = all(check.ok for check in counts) and all(file.ok for file in files)
    print(
        "migration verified: every count and every file matches"
        if ok
        else "migration NOT verified",
        file=out,
    )
    return ok
