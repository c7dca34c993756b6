"""A per-process limit on costly work: a few jobs at once, urgent ones first, a short queue.

Password hashing needs 64 MiB and tens of milliseconds of CPU per job. Run
without a limit, a burst of sign-ups multiplies that by the thread pool's
size and takes the process past its memory limit; queued without a bound,
every login behind the burst waits for all of it. So:
- at most `slots` jobs run at once;
- one slot is kept for urgent jobs (logins), so ordinary ones (sign-ups)
  can never fill them all, and a waiting urgent job goes first;
- a job that cannot start within `max_wait_seconds` gives up with
  `ServerBusy`, which the client may retry.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import IntEnum

from vidvault.core.exceptions import ServerBusy


class Urgency(IntEnum):
    URGENT = 0
    ORDINARY = 1


class WorkSlots:
    def __init__(self, slots: int, max_wait_seconds: float) -> None:
        self._limits = {
            Urgency.URGENT: slots,
            # With a single slot nothing can be kept back: both kinds share it.
            Urgency.ORDINARY: max(1, slots - 1),
        }
        self._busy = 0
        self._max_wait = max_wait_seconds
        self._waiting: dict[Urgency, deque[asyncio.Future[None]]] = {u: deque() for u in Urgency}

    @asynccontextmanager
    async def slot(self, urgency: Urgency) -> AsyncIterator[None]:
        await self._acquire(urgency)
        try:
            yield
        finally:
            self._release()

    def _may_start(self, urgency: Urgency) -> bool:
        return self._busy < self._limits[urgency]

    async def _acquire(self, urgency: Urgency) -> None:
        ahead = [self._waiting[u] for u in Urgency if u <= urgency]
        if self._may_start(urgency) and not any(ahead):
            self._busy += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        queue = self._waiting[urgency]
        queue.append(waiter)
        try:
            async with asyncio.timeout(self._max_wait):
                await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just as this waiter gave up
            elif waiter in queue:
                queue.remove(waiter)
            if isinstance(error, TimeoutError):
                raise ServerBusy(retry_after_seconds=max(1, round(self._max_wait))) from error
            raise

    def _release(self) -> None:
        self._busy -= 1
        # Freed slots pass straight to waiters, most urgent first.
        for urgency in Urgency:
            queue = self._waiting[urgency]
            while queue and self._may_start(urgency):
                waiter = queue.popleft()
                if not waiter.done():
                    self._busy += 1
                    waiter.set_result(None)
