"""Offsets of answered PATCH requests still to be recorded, in this process.

A PATCH answers as soon as every byte it received is stored. Recording the
new offset and letting go of the upload is one more durable write. Made
before the answer, it kept the client waiting; made right after, it ran
into the client's next PATCH and that PATCH's claim, a second write
(bench/NOTES.md). So the record waits, up to HAND_OVER_SECONDS, for the next
PATCH of the same upload to reach this process: that PATCH then records the
offset and claims the upload in one write (`take`). Otherwise the record is
made when the wait ends, or at once when another request needs the upload
settled (`settle`: HEAD, or a PATCH that cannot take over).

Should the process die meanwhile, the upload stays held until its claim
runs out (resumable.LEASE): PATCH requests meanwhile get 423, HEAD the offset
recorded before. Then a PATCH takes over from that offset, dropping the
chunks stored past it, and the client, told 409, sends that one PATCH again.
Every record this process owes is made while it lives, even when the PATCH
that took one over fails (resumable.py).
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

logger = logging.getLogger(__name__)

# How long an answered PATCH's offset waits for the next PATCH to record it.
# A client sends that PATCH within a few milliseconds of the answer. One on
# another replica finds the upload held meanwhile and waits for it
# (resumable.CLAIM_WAIT_SECONDS).
HAND_OVER_SECONDS = 0.02

type Record = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Answered:
    """What the answered PATCH left to record: its claim's token and the fields to set."""

    owner_id: ObjectId
    offset: int
    token: str
    recorded: dict[str, Any]


@dataclass(eq=False)
class _Pending:
    answered: Answered
    record: Record
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    state: str = "waiting"  # then "recording" or "handed over"
    task: asyncio.Task[None] | None = None


class PendingRecords:
    def __init__(self, hand_over_seconds: float = HAND_OVER_SECONDS) -> None:
        self._hand_over_seconds = hand_over_seconds
        self._pending: dict[ObjectId, _Pending] = {}

    def start(self, upload_id: ObjectId, answered: Answered, record: Record) -> asyncio.Task[None]:
        """Record the answered PATCH's offset soon, unless the next PATCH takes it over."""
        pending = _Pending(answered, record)
        self._pending[upload_id] = pending
        pending.task = asyncio.ensure_future(self._record_unless_taken(pending))

        def forget(done: asyncio.Task[None]) -> None:
            if self._pending.get(upload_id) is pending:
                del self._pending[upload_id]
            if not done.cancelled() and (error := done.exception()) is not None:
                # Nothing recorded: the claim runs out and a later PATCH takes over,
                # so the client sends this PATCH's bytes again at most.
                logger.warning("recording upload %s's offset failed: %r", upload_id, error)

        pending.task.add_done_callback(forget)
        return pending.task

    async def _record_unless_taken(self, pending: _Pending) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(pending.wake.wait(), self._hand_over_seconds)
        if pending.state == "waiting":
            pending.state = "recording"
            await pending.record()

    def take(self, upload_id: ObjectId, owner_id: ObjectId, offset: int) -> Answered | None:
        """The answered PATCH's record, for the next PATCH to make with its claim.

        Only for the same owner at the offset that PATCH answered, and only
        while the record is not being made; the taker then owes it.
        """
        pending = self._pending.get(upload_id)
        if pending is None or pending.state != "waiting":
            return None
        answered = pending.answered
        if answered.owner_id != owner_id or answered.offset != offset:
            return None
        pending.state = "handed over"
        pending.wake.set()
        return answered

    async def settle(self, upload_id: ObjectId) -> None:
        """Return once no record of the upload waits here: made now, or taken over meanwhile.

        A PATCH that took one over makes it with its claim; the caller, reading
        the upload, finds it held until then.
        """
        while (pending := self._pending.get(upload_id)) is not None:
            pending.wake.set()
            assert pending.task is not None
            await asyncio.wait([pending.task])  # its failure was logged


# One per process: the requests it serves share it.
pending_records = PendingRecords()
