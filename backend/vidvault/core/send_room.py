"""How many bytes a response may hand the server now without the server keeping them.

A response body handed to the server is written to the socket at once; what
the kernel does not take stays in the server's write buffer, referenced
until the client reads it. For a client that has stopped reading, that is
memory held by the process until the send timeout cuts the connection. Our
server (`python -m vidvault.server`) offers the kernel's free room through an
ASGI extension in the request scope, so a large response can hand over only
what will go straight to the kernel. Under any other server the room is
unknown and reported as 0: the response then sends small copies.
"""

from collections.abc import Callable

from starlette.types import Scope

# scope["extensions"][SEND_ROOM_EXTENSION] = {"room": callable returning the room in bytes}
# (ASGI extensions are dicts of what the server offers).
SEND_ROOM_EXTENSION = "vidvault.send_room"

type SendRoom = Callable[[], int]


def _unknown() -> int:
    return 0


def send_room(scope: Scope) -> SendRoom:
    """The connection's room probe, or one that always answers 0."""
    offered = (scope.get("extensions") or {}).get(SEND_ROOM_EXTENSION) or {}
    room: SendRoom = offered.get("room", _unknown)
    return room
