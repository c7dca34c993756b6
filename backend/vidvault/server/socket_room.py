"""The kernel side of a connection's send path: its bound, and the room left in it.

TCP_NOTSENT_LOWAT bounds the bytes the kernel queues for a connection but has
not yet sent (those in flight are bounded by the client's window). Without
it the kernel takes up to its autotuned send buffer (4 MiB on Linux by
default) for a client that reads nothing, so the server notices a stalled
client only after reading that much more from the database, and the kernel
holds it meanwhile. Linux only; elsewhere the room is reported as 0.
"""

import fcntl
import socket
import struct
import sys
from contextlib import suppress

# Unsent bytes the kernel may queue per connection. A 1 MiB chunk still goes
# to the kernel in a few writes; a stalled client costs at most this much
# kernel memory beyond its receive window.
UNSENT_LIMIT_BYTES = 512 * 1024

# linux/sockios.h: bytes in the send queue (unsent + unacknowledged), and unsent only.
_SIOCOUTQ = 0x5411
_SIOCOUTQNSD = 0x894B


def limit_unsent(sock: socket.socket | None) -> bool:
    """Applies UNSENT_LIMIT_BYTES to the socket; False where that is not possible."""
    if sock is None or not sys.platform.startswith("linux"):
        return False
    with suppress(OSError, ValueError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, UNSENT_LIMIT_BYTES)
        return True
    return False


def _queued(fd: int, request: int) -> int:
    (count,) = struct.unpack("i", fcntl.ioctl(fd, request, b"\0\0\0\0"))
    return int(count)


def kernel_room(sock: socket.socket) -> int:
    """Bytes a write can hand the kernel now and be taken whole (conservative).

    The kernel takes a write while its unsent bytes are under the limit and
    its queue is under the send buffer; the queue is counted with its
    bookkeeping overhead, hence half the free buffer.
    """
    try:
        fd = sock.fileno()
        unsent = _queued(fd, _SIOCOUTQNSD)
        queued = _queued(fd, _SIOCOUTQ)
        send_buffer = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    except (OSError, ValueError):  # closed meanwhile
        return 0
    return max(0, min(UNSENT_LIMIT_BYTES - unsent, (send_buffer - queued) // 2))
