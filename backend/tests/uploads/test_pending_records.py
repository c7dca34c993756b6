"""PendingRecords: an answered PATCH's offset, recorded soon after or by the next PATCH's claim."""

import asyncio
import logging

import pytest
from bson import ObjectId

from vidvault.uploads.pending_records import Answered, PendingRecords

OWNER = ObjectId()


class Recorder:
    def __init__(self, *, fails: bool = False) -> None:
        self.made = 0
        self.fails = fails

    async def __call__(self) -> None:
        await asyncio.sleep(0.01)  # a write to the database
        if self.fails:
            raise ConnectionError("the database went away")
        self.made += 1


def _answered(offset: int = 1000) -> Answered:
    return Answered(OWNER, offset, "token-of-the-answered-patch", {"offset": offset})


async def test_without_a_next_patch_the_record_is_made_when_the_wait_ends() -> None:
    records = PendingRecords(hand_over_seconds=0.05)
    record = Recorder()
    task = records.start(ObjectId(), _answered(), record)
    await asyncio.sleep(0.02)
    assert record.made == 0  # still waiting for the next PATCH
    await task
    assert record.made == 1


async def test_the_next_patch_takes_the_record_over_and_it_is_not_made_twice() -> None:
    records = PendingRecords(hand_over_seconds=1)
    upload_id, record = ObjectId(), Recorder()
    task = records.start(upload_id, _answered(), record)
    taken = records.take(upload_id, OWNER, 1000)
    assert taken == _answered()
    await asyncio.wait_for(task, timeout=0.5)  # done at once, not after the wait
    assert record.made == 0  # the taker records it, with its claim
    assert records.take(upload_id, OWNER, 1000) is None  # once


async def test_only_the_same_owner_at_the_answered_offset_takes_it_over() -> None:
    records = PendingRecords(hand_over_seconds=0.05)
    upload_id, record = ObjectId(), Recorder()
    task = records.start(upload_id, _answered(1000), record)
    assert records.take(upload_id, ObjectId(), 1000) is None  # someone else
    assert records.take(upload_id, OWNER, 999) is None  # another offset: a 409 to come
    assert records.take(ObjectId(), OWNER, 1000) is None  # another upload
    await task
    assert record.made == 1


async def test_settle_makes_a_waiting_record_at_once_and_returns_when_it_is_made() -> None:
    records = PendingRecords(hand_over_seconds=10)
    upload_id, record = ObjectId(), Recorder()
    records.start(upload_id, _answered(), record)
    await asyncio.wait_for(records.settle(upload_id), timeout=1)  # a HEAD does not wait 10 s
    assert record.made == 1
    assert records.take(upload_id, OWNER, 1000) is None  # made: nothing left to take over


async def test_a_failed_record_is_logged_and_forgotten_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    records = PendingRecords(hand_over_seconds=0)
    upload_id = ObjectId()
    with caplog.at_level(logging.WARNING, logger="vidvault.uploads.pending_records"):
        task = records.start(upload_id, _answered(), Recorder(fails=True))
        await records.settle(upload_id)
    assert task.done()
    assert "recording upload" in caplog.text and "the database went away" in caplog.text
    await records.settle(upload_id)  # forgotten: returns at once
