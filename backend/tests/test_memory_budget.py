"""The process's bound on chunk batches held by readers (storage/memory_budget.py)."""

import asyncio

import pytest

from vidvault.storage.memory_budget import MemoryBudget


async def test_reservations_within_the_capacity_are_granted_at_once() -> None:
    budget = MemoryBudget(10)
    assert await budget.reserve(4) == 4
    assert await budget.reserve(6) == 6
    assert budget.free == 0
    budget.release(4)
    assert budget.free == 4


async def test_a_reservation_waits_until_enough_is_released_and_in_turn() -> None:
    budget = MemoryBudget(10)
    await budget.reserve(8)
    first = asyncio.create_task(budget.reserve(5))
    second = asyncio.create_task(budget.reserve(1))  # would fit, but comes after the first
    await asyncio.sleep(0)
    assert not first.done() and not second.done()
    budget.release(8)
    assert await first == 5
    assert await second == 1
    assert budget.free == 4


async def test_a_request_larger_than_the_capacity_takes_all_of_it() -> None:
    budget = MemoryBudget(10)
    assert await budget.reserve(25) == 10
    assert budget.free == 0


async def test_a_cancelled_wait_gives_its_turn_to_the_next() -> None:
    budget = MemoryBudget(10)
    await budget.reserve(8)
    big = asyncio.create_task(budget.reserve(9))
    small = asyncio.create_task(budget.reserve(2))
    await asyncio.sleep(0)
    big.cancel()
    with pytest.raises(asyncio.CancelledError):
        await big
    assert await small == 2
    assert budget.free == 0


async def test_a_grant_cancelled_before_its_use_is_given_back() -> None:
    budget = MemoryBudget(10)
    await budget.reserve(10)
    waiting = asyncio.create_task(budget.reserve(10))
    await asyncio.sleep(0)
    budget.release(10)  # granted to the waiter, which is cancelled before it resumes
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert budget.free == 10
