"""The storage quota: one rule, asked by every upload path before it stores a byte."""

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Quota:
    """An owner's storage quota, and how much of it their videos use."""

    limit: int
    used: int

    @property
    def room(self) -> int:
        return self.limit - self.used

    def refuse(self) -> QuotaExceeded:
        return QuotaExceeded(self.limit, self.used)


async def quota_of(owner_id: PydanticObjectId, quota_bytes: int) -> Quota | None:
    """The owner's quota (STORAGE_QUOTA_BYTES), None when there is none (0).

    Checked before storing, by the upload gate: two uploads racing may both
    fit and together overshoot. The quota is a limit on what is kept, not a lock.
    """
    if quota_bytes == 0:
        return None
    return Quota(quota_bytes, await storage_used(owner_id))
