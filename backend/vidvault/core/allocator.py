"""glibc's malloc told to keep freed buffers for the next request instead of unmapping them.

Every upload and stream moves its bytes through multi-MiB buffers (chunk
joins, insert messages, reply buffers). glibc trims the top of its heap once
more than its trim threshold is free there, and that threshold follows the
mmap threshold (twice the largest block freed so far, a few MiB). A resumable
upload is idle between two PATCH requests, so the heap shrank back after every
PATCH and the next one faulted the same pages in again, zeroed by the kernel:
about 270,000 page faults per GiB in the API and 390,000 in the embedded
database, a fifth of the API's CPU for an upload (bench/NOTES.md).

Fixed thresholds instead (which also turns glibc's adaptive ones off): blocks
below MMAP_THRESHOLD_BYTES come from the heap, and up to TRIM_THRESHOLD_BYTES
of free heap is kept rather than handed back. That bounds what an idle process
keeps beyond what it used at its peak; the memory budgets (stream windows,
write batches) bound the peak itself.

Not glibc (musl, another OS): nothing to tune, and nothing changes.
"""

import ctypes
import logging

logger = logging.getLogger(__name__)

# mallopt's parameter numbers, from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MIB = 1024 * 1024
# Above every buffer the hot paths allocate (2 MiB write batches, chunk batch
# replies of a few MiB); the driver's 48 MB messages still get a mapping.
MMAP_THRESHOLD_BYTES = 16 * MIB
TRIM_THRESHOLD_BYTES = 32 * MIB


def keep_freed_buffers() -> bool:
    """Set the thresholds in this process; whether the allocator took them."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    applied = bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    if not applied:
        logger.info("the allocator keeps its own thresholds (mallopt refused)")
    return applied
