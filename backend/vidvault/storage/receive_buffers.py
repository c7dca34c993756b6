"""Receive buffers the driver does not zero first.

For each reply, the driver's asyncio protocol allocates the message's buffer
with `bytearray(size)`, which writes zeros over all of it, and then has the
socket fill every byte of it (the reply is handed on only once complete). On
a stream the replies are 2 MiB chunk batches, so that zeroing was about 5% of
the API's CPU per GiB (bench/NOTES.md): a memset of every byte streamed, for
nothing.

`install()` has the driver allocate those buffers without the zeroing, as
`PyByteArray_FromStringAndSize(NULL, size)` does. Only sizes above
`UNZEROED_FROM` take that path; headers and small replies stay as they were.
It swaps the name `bytearray` in `pymongo.network_layer`, which is not
public API: pymongo is pinned to the version this was written against, and
tests/test_receive_buffers.py checks that its protocol still allocates
through that name.
"""

import ctypes

from pymongo import network_layer

UNZEROED_FROM = 4096

_from_string_and_size = ctypes.pythonapi.PyByteArray_FromStringAndSize
_from_string_and_size.restype = ctypes.py_object
_from_string_and_size.argtypes = [ctypes.c_void_p, ctypes.c_ssize_t]


def receive_buffer(size: int) -> bytearray:
    """A bytearray of `size` bytes; above UNZEROED_FROM, its contents are left as allocated.

    Only for buffers that are filled completely before they are read.
    """
    if size < UNZEROED_FROM:
        return bytearray(size)
    buffer: bytearray = _from_string_and_size(None, size)
    return buffer


def install() -> None:
    """Have the driver's receive path allocate with `receive_buffer` (idempotent)."""
    network_layer.bytearray = receive_buffer  # type: ignore[attr-defined]
