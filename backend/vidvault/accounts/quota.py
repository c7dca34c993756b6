"""The storage quota: one rule, asked by every upload path before it stores a byte."""

from beanie import PydanticObjectId

from vidvault.accounts.exceptions import QuotaExceeded
from vidvault.videos.models import Video


async def storage_used(owner_id: PydanticObjectId) -> int:
    pipeline: list[dict[str, object]] = [
        {"$match": {"owner_id": owner_id}},
        {"$group": {"_id": None, "bytes": {"$sum": "$size"}}},
    ]
    totals = await Video.get_pymongo_collection().aggregate(pipeline)
    async with totals:
        async for total in totals:
            return int(total["bytes"])
    return 0


async def ensure_room(
    owner_id: PydanticObjectId, incoming_bytes: int, quota_bytes: int
) -> int | None:
    """Refuse (413) an upload of `incoming_bytes` that would not fit in the quota.

    Returns the bytes the owner may still store, None when there is no quota
    (`quota_bytes` 0). Two uploads racing may both fit and together overshoot:
    the quota is a limit on what is kept, checked before storing, not a lock.
    """
    if quota_bytes == 0:
        return None
    used = await storage_used(owner_id)
    if used + incoming_bytes > quota_bytes:
        raise QuotaExceeded(quota_bytes, used)
    return quota_bytes - used
