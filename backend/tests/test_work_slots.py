"""WorkSlots: a few jobs at once, urgent waiters first, a bounded wait."""

import asyncio

import pytest

from vidvault.auth.clients import throttle_client_key
from vidvault.core.exceptions import ServerBusy
from vidvault.core.work_slots import Urgency, WorkSlots


async def _job(
    slots: WorkSlots, urgency: Urgency, name: str, log: list[str], seconds: float = 0.02
) -> None:
    async with slots.slot(urgency):
        log.append(name)
        await asyncio.sleep(seconds)


async def test_no_more_than_the_slots_run_at_once() -> None:
    slots, running, peak = WorkSlots(2, max_wait_seconds=5), 0, 0

    async def job(urgency: Urgency) -> None:
        nonlocal running, peak
        async with slots.slot(urgency):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(job(Urgency(i % 2)) for i in range(10)))
    assert peak == 2


async def test_an_urgent_waiter_goes_before_ordinary_ones_that_came_first() -> None:
    slots, log = WorkSlots(1, max_wait_seconds=5), list[str]()
    first = asyncio.create_task(_job(slots, Urgency.ORDINARY, "first", log))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(_job(slots, Urgency.ORDINARY, f"o{i}", log)) for i in range(3)]
    await asyncio.sleep(0)
    urgent = asyncio.create_task(_job(slots, Urgency.URGENT, "urgent", log))
    await asyncio.gather(first, *queued, urgent)
    assert log == ["first", "urgent", "o0", "o1", "o2"]


async def test_a_waiter_gives_up_after_the_max_wait_and_leaves_the_slots_whole() -> None:
    slots = WorkSlots(1, max_wait_seconds=0.05)
    holder = asyncio.create_task(_job(slots, Urgency.ORDINARY, "holder", [], seconds=0.3))
    await asyncio.sleep(0)
    with pytest.raises(ServerBusy) as refused:
        async with slots.slot(Urgency.URGENT):
            pass
    assert refused.value.headers == {"Retry-After": "1"}
    await holder
    # The given-up waiter took no slot with it: two jobs still run one after the other.
    log: list[str] = []
    await asyncio.gather(*(_job(slots, Urgency.ORDINARY, str(i), log) for i in range(2)))
    assert log == ["0", "1"]


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        (None, "unknown"),
        ("x" * 500, "x" * 64),
    ],
)
def test_throttle_client_key(host: str | None, key: str) -> None:
    assert throttle_client_key(host) == key


async def test_ordinary_work_never_takes_the_last_slot() -> None:
    slots, log = WorkSlots(2, max_wait_seconds=5), list[str]()
    ordinary = [
        asyncio.create_task(_job(slots, Urgency.ORDINARY, f"o{i}", log, seconds=0.1))
        for i in range(3)
    ]
    await asyncio.sleep(0.01)
    assert log == ["o0"]  # one ordinary job runs; the second slot is kept back
    await _job(slots, Urgency.URGENT, "urgent", log)
    assert log == ["o0", "urgent"]  # the urgent job started without waiting for o0
    await asyncio.gather(*ordinary)
    assert log == ["o0", "urgent", "o1", "o2"]
