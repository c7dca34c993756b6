"""Start-up migration: stored emails from the old normalization (strip + lower) become NFKC_Casefold."""

from datetime import UTC, datetime

import httpx
import pytest
from bson import ObjectId

from tests.conftest import Db, log_in, sign_up
from vidvault.auth.migrations import migrate_accounts

FULL_WIDTH_BOB = (
    "\uff42\uff4f\uff42@example.com"  # what the old code stored for a full-width "BOB@"
)
FULL_WIDTH_ALICE = "\uff41\uff4c\uff49\uff43\uff45@example.com"


async def _store_old_shape(db: Db, email: str) -> ObjectId:
    result = await db["users"].insert_one(
        {"email": email, "password_hash": "x", "token_version": 0, "created_at": datetime.now(UTC)}
    )
    inserted: ObjectId = result.inserted_id
    return inserted


async def _emails(db: Db) -> dict[ObjectId, str]:
    return {user["_id"]: user["email"] async for user in db["users"].find()}


async def test_old_shape_emails_are_normalized_and_can_log_in(
    client: httpx.AsyncClient, db: Db
) -> None:
    bob = await sign_up(client, "bob@example.com")
    # The previous shape: the account as the old code stored a full-width sign-up.
    await db["users"].update_one({"email": "bob@example.com"}, {"$set": {"email": FULL_WIDTH_BOB}})
    await migrate_accounts(db)
    assert list((await _emails(db)).values()) == ["bob@example.com"]
    await log_in(client, "BOB@example.com")
    await log_in(client, FULL_WIDTH_BOB)
    assert bob.email == "bob@example.com"


async def test_on_a_collision_the_older_account_keeps_the_address(
    db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    older = await _store_old_shape(db, "alice@example.com")
    twin = await _store_old_shape(db, FULL_WIDTH_ALICE)
    await migrate_accounts(db)
    assert await _emails(db) == {older: "alice@example.com", twin: FULL_WIDTH_ALICE}
    assert str(twin) in caplog.text
    assert "cannot log in" in caplog.text


async def test_a_full_width_account_created_first_keeps_the_address(db: Db) -> None:
    first = await _store_old_shape(db, FULL_WIDTH_ALICE)
    later = await _store_old_shape(db, "alice@example.com")
    await migrate_accounts(db)
    # The later plain account already holds the normalized form, so the older
    # full-width one cannot take it: nothing changes, nothing is lost.
    assert await _emails(db) == {first: FULL_WIDTH_ALICE, later: "alice@example.com"}


async def test_the_migration_is_idempotent_and_drops_the_old_throttle_collection(db: Db) -> None:
    await _store_old_shape(db, FULL_WIDTH_BOB)
    await db["login_throttle"].insert_one({"_id": "account:bob@example.com", "failures": 3})
    await migrate_accounts(db)
    once = await _emails(db)
    await migrate_accounts(db)
    assert await _emails(db) == once == {next(iter(once)): "bob@example.com"}
    assert "login_throttle" not in await db.list_collection_names()
