"""Library order and opaque keyset cursors: (sort value, _id) of the last item seen.

Each order is a key and a direction, with `_id` in the same direction
breaking ties, so a page boundary is exact even among equal keys, and items
inserted while someone pages never shift, repeat or hide the others.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from beanie import PydanticObjectId, SortDirection
from bson.errors import InvalidId

from vidvault.videos.exceptions import InvalidCursor

type SortValue = datetime | str | int | float | None
type Filter = dict[str, object]


class LibrarySort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"  # A to Z, ignoring case and accents
    DURATION = "duration"  # longest first; not yet probed last
    SIZE = "size"  # largest first


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    direction: SortDirection  # _id follows the same direction
    nullable: bool = False  # only descending: null, MongoDB's lowest value, comes last

    def spec(self) -> list[tuple[str, SortDirection]]:
        return [(self.field, self.direction), ("_id", self.direction)]


ASCENDING, DESCENDING = SortDirection.ASCENDING, SortDirection.DESCENDING
SORT_KEYS: dict[LibrarySort, SortKey] = {
    LibrarySort.NEWEST: SortKey("created_at", DESCENDING),
    LibrarySort.OLDEST: SortKey("created_at", ASCENDING),
    LibrarySort.TITLE: SortKey("title_key", ASCENDING),
    # Descending puts null (no duration known) last, as MongoDB orders null lowest.
    LibrarySort.DURATION: SortKey("duration_seconds", DESCENDING, nullable=True),
    LibrarySort.SIZE: SortKey("size", DESCENDING),
}


def _encode_value(value: SortValue) -> object:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value


def _decode_value(sort: LibrarySort, raw: object) -> SortValue:
    key = SORT_KEYS[sort]
    if raw is None and key.nullable:
        return None
    if key.field == "created_at" and type(raw) is int:
        return datetime.fromtimestamp(raw / 1000, UTC)
    if key.field == "title_key" and isinstance(raw, str):
        return raw
    if key.field in {"size", "duration_seconds"} and type(raw) in {int, float}:
        return raw  # type: ignore[return-value]  # narrowed by the check above
    raise InvalidCursor


@dataclass(frozen=True, slots=True)
class Cursor:
    sort: LibrarySort
    value: SortValue
    video_id: PydanticObjectId

    def encode(self) -> str:
        raw = json.dumps([self.sort.value, _encode_value(self.value), str(self.video_id)])
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            padded = token + "=" * (-len(token) % 4)
            sort, value, video_id = json.loads(base64.urlsafe_b64decode(padded))
            sort = LibrarySort(sort)
            return cls(sort, _decode_value(sort, value), PydanticObjectId(video_id))
        except (ValueError, TypeError, InvalidId, binascii.Error, OverflowError, OSError) as error:
            raise InvalidCursor from error

    def after_filter(self) -> Filter:
        """The items that come after this one in its order."""
        key = SORT_KEYS[self.sort]
        beyond = "$gt" if key.direction is ASCENDING else "$lt"
        same_key_later_id: Filter = {key.field: self.value, "_id": {beyond: self.video_id}}
        if self.value is None:  # nulls are last: only later ids among them remain
            return same_key_later_id
        branches: list[Filter] = [{key.field: {beyond: self.value}}, same_key_later_id]
        if key.nullable:
            branches.append({key.field: None})
        return {"$or": branches}
