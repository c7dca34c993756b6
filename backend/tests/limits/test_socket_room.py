"""The server's view of a connection's kernel send queue (vidvault/server/socket_room.py)."""

import socket
import sys
from collections.abc import Iterator

import pytest

from vidvault.server.socket_room import UNSENT_LIMIT_BYTES, kernel_room, limit_unsent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux socket queues")


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(the server's end, a client that never reads, with a small window)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(listener.getsockname())
        server, _ = listener.accept()
    server.setblocking(False)
    with server, client:
        yield server, client


def test_every_write_of_the_room_is_taken_whole_until_none_is_left(
    connection: tuple[socket.socket, socket.socket],
) -> None:
    server, _ = connection
    assert limit_unsent(server)
    room = kernel_room(server)
    assert 0 < room <= UNSENT_LIMIT_BYTES
    written = 0
    for _ in range(100):
        room = kernel_room(server)
        if room == 0:
            break
        assert server.send(b"x" * room) == room
        written += room
    assert room == 0
    # The client read nothing: the kernel holds about the limit, not its own send buffer.
    assert UNSENT_LIMIT_BYTES <= written < 2 * UNSENT_LIMIT_BYTES


def test_a_closed_socket_has_no_room() -> None:
    closed = socket.socket()
    closed.close()
    assert kernel_room(closed) == 0
    assert not limit_unsent(closed)
    assert not limit_unsent(None)
