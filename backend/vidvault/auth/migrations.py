"""Start-up migrations of the accounts' stored shape. Each is idempotent.

Emails: stored emails were once only stripped and lower-cased; now they are
NFKC with case folding (schemas.normalize_email). An account whose stored
email is not in that form is rewritten to it, oldest account first. On a
collision (a full-width twin of "alice@" could exist beside "alice@"), the
account that holds the normalized form first keeps it: the one already
stored that way, or else the oldest twin. The other is left untouched and
logged with its id for the operator: it can no longer log in, because a
login normalizes what is typed. Nothing is deleted.

Throttle counters moved from `login_throttle` to `throttle_counters` with new
keys; the old collection only held counters of windows at most a few minutes
long, so it is dropped rather than converted.
"""

import logging
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vidvault.auth.models import User
from vidvault.auth.schemas import normalize_email

logger = logging.getLogger(__name__)

OLD_THROTTLE_COLLECTION = "login_throttle"


async def normalize_stored_emails() -> int:
    """Rewrite every stored email to its normalized form; returns how many changed."""
    changed = 0
    users = User.get_pymongo_collection()
    # Oldest first, so the first account created wins a collision.
    async for user in users.find({}, {"email": True}).sort("_id", 1):
        normalized = normalize_email(user["email"])
        if normalized != user["email"] and await _rename(user, normalized):
            changed += 1
    return changed


async def _rename(user: dict[str, Any], normalized: str) -> bool:
    try:
        await User.get_pymongo_collection().update_one(
            {"_id": user["_id"]}, {"$set": {"email": normalized}}
        )
    except DuplicateKeyError:
        logger.warning(
            "account %s keeps its email %r: its normalized form %r belongs to an older account;"
            " it cannot log in until an operator resolves it",
            user["_id"],
            user["email"],
            normalized,
        )
        return False
    return True


async def drop_old_throttle_counters(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.drop_collection(OLD_THROTTLE_COLLECTION)


async def migrate_accounts(db: AsyncDatabase[dict[str, Any]]) -> None:
    changed = await normalize_stored_emails()
    if changed:
        logger.info("normalized the stored email of %d accounts", changed)
    await drop_old_throttle_counters(db)
