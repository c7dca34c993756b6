"""Every user and video route against every kind of caller, with the code each must get.

The table is the specification: a cell that changes is a security decision and
has to change here too. Each identity runs every route in one test so that the
whole row is reported at once when something drifts.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from bson import ObjectId

from tests.conftest import Account, sign_like, sign_up, token_claims, upload
from tests.security.openapi_ops import authenticated_operation_ids, openapi_document
from vidvault.core.security import TokenType
from vidvault.media.exceptions import NotProcessedYet

ME = "/api/v1/users/me"
LOGOUT = "/api/v1/auth/logout"
VIDEOS = "/api/v1/videos"
UPLOADS = "/api/v1/uploads"
TUS = {"Tus-Resumable": "1.0.0"}

# Made by the worker, which does not run here: the owner is told they are not there yet.
MEDIA_ROUTES = ["poster", "storyboard", "storyboard-sprite", "playback", "playback-head"]
# Routes in the order they run: the destructive ones (cancel, delete, logout) last.
ROUTES = [
    "me",
    "list",
    "get",
    "rename",
    "stream",
    "stream-head",
    *MEDIA_ROUTES,
    "upload",
    "change-password",
    "delete-account",
    "share-create",
    "share-list",
    "share-revoke",
    "tus-create",
    "tus-offset",
    "tus-append",
    "tus-cancel",
    "delete",
    "logout",
]

OWNER_CODES = {
    "me": 200,
    "list": 200,
    "get": 200,
    "rename": 200,
    "stream": 200,
    "stream-head": 200,
    **dict.fromkeys(MEDIA_ROUTES, 409),
    "upload": 201,
    # Sent with a wrong password: reaching the check, and not past it, is the point.
    "change-password": 403,
    "delete-account": 403,
    "share-create": 201,
    "share-list": 200,
    "share-revoke": 204,
    "tus-create": 201,
    "tus-offset": 200,
    "tus-append": 204,
    "tus-cancel": 204,
    "delete": 204,
    "logout": 204,
}
# Another user sees their own (empty) account, and never learns the video exists.
OTHER_USER_CODES = OWNER_CODES | {
    "get": 404,
    "rename": 404,
    "stream": 404,
    "stream-head": 404,
    **dict.fromkeys(MEDIA_ROUTES, 404),
    "share-create": 404,
    "share-list": 404,
    "share-revoke": 404,
    "tus-offset": 404,
    "tus-append": 404,
    "tus-cancel": 404,
    "delete": 404,
}
REFUSED = dict.fromkeys(ROUTES, 401)

EXPECTED = {
    "owner": OWNER_CODES,
    "other-user": OTHER_USER_CODES,
    "anonymous": REFUSED,
    "expired-token": REFUSED,
    "other-key": REFUSED,
    "alg-none": REFUSED,
    "stream-token-as-access": REFUSED,
    "after-logout": REFUSED,
    "garbage": REFUSED,
}


@dataclass
class World:
    client: httpx.AsyncClient
    owner: Account
    video: dict[str, Any]
    mp4: bytes
    share: dict[str, Any]
    upload_url: str  # the owner's resumable upload, nothing sent yet


type Request = Callable[[World, dict[str, str]], Awaitable[httpx.Response]]


async def _me(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.get(ME, headers=h)


async def _logout(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.post(LOGOUT, headers=h)


async def _list(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.get(VIDEOS, headers=h)


async def _get(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.get(f"{VIDEOS}/{w.video['id']}", headers=h)


async def _rename(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.patch(f"{VIDEOS}/{w.video['id']}", headers=h, json={"title": "pwned"})


async def _delete(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.delete(f"{VIDEOS}/{w.video['id']}", headers=h)


async def _stream(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.get(f"{VIDEOS}/{w.video['id']}/stream", headers=h)


async def _stream_head(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.head(f"{VIDEOS}/{w.video['id']}/stream", headers=h)


WRONG_PASSWORD = "not the password at all"


async def _change_password(w: World, h: dict[str, str]) -> httpx.Response:
    body = {"current_password": WRONG_PASSWORD, "new_password": "taken over by someone"}
    return await w.client.post(f"{ME}/password", headers=h, json=body)


async def _delete_account(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.request("DELETE", ME, headers=h, json={"password": WRONG_PASSWORD})


def _get_part(part: str) -> Request:
    async def request(w: World, h: dict[str, str]) -> httpx.Response:
        return await w.client.get(f"{VIDEOS}/{w.video['id']}/{part}", headers=h)

    return request


async def _playback_head(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.head(f"{VIDEOS}/{w.video['id']}/playback", headers=h)


def _shares(w: World) -> str:
    return f"{VIDEOS}/{w.video['id']}/shares"


async def _share_create(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.post(_shares(w), headers=h, json={})


async def _share_list(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.get(_shares(w), headers=h)


async def _share_revoke(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.delete(f"{_shares(w)}/{w.share['id']}", headers=h)


async def _upload(w: World, h: dict[str, str]) -> httpx.Response:
    files = {"file": ("x.mp4", w.mp4, "video/mp4")}
    return await w.client.post(VIDEOS, headers=h, files=files)


async def _tus_create(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.post(UPLOADS, headers=h | TUS | {"Upload-Length": str(len(w.mp4))})


async def _tus_offset(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.head(w.upload_url, headers=h | TUS)


async def _tus_append(w: World, h: dict[str, str]) -> httpx.Response:
    headers = h | TUS | {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    return await w.client.patch(w.upload_url, headers=headers, content=w.mp4[:1000])


async def _tus_cancel(w: World, h: dict[str, str]) -> httpx.Response:
    return await w.client.delete(w.upload_url, headers=h | TUS)


REQUESTS: dict[str, Request] = {
    "me": _me,
    "list": _list,
    "get": _get,
    "rename": _rename,
    "stream": _stream,
    "stream-head": _stream_head,
    **{part: _get_part(part) for part in ("poster", "storyboard", "playback")},
    "storyboard-sprite": _get_part("storyboard/sprite"),
    "playback-head": _playback_head,
    "upload": _upload,
    "change-password": _change_password,
    "delete-account": _delete_account,
    "share-create": _share_create,
    "share-list": _share_list,
    "share-revoke": _share_revoke,
    "tus-create": _tus_create,
    "tus-offset": _tus_offset,
    "tus-append": _tus_append,
    "tus-cancel": _tus_cancel,
    "delete": _delete,
    "logout": _logout,
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _credentials(identity: str, w: World) -> dict[str, str]:
    owner_token = w.owner.token
    match identity:
        case "owner":
            return w.owner.headers
        case "other-user":
            return (await sign_up(w.client, "mallory@example.com")).headers
        case "anonymous":
            return {}
        case "expired-token":
            return _bearer(sign_like(owner_token, TokenType.ACCESS, timedelta(seconds=-1)))
        case "other-key":
            claims = token_claims(owner_token)
            return _bearer(jwt.encode(claims, "another-key-" + "k" * 40, algorithm="HS256"))
        case "alg-none":
            return _bearer(jwt.encode(token_claims(owner_token), None, algorithm="none"))
        case "stream-token-as-access":
            return _bearer(w.video["stream_url"].split("token=", 1)[1])
        case "after-logout":
            stale = dict(w.owner.headers)
            assert (await w.client.post(LOGOUT, headers=stale)).status_code == 204
            return stale
        case "garbage":
            return _bearer("not.a.jwt")
    raise AssertionError(identity)


@pytest.fixture
async def world(client: httpx.AsyncClient, alice: Account, mp4_bytes: bytes) -> World:
    response = await upload(client, alice, mp4_bytes, "secret.mp4", title="Alice's secret")
    assert response.status_code == 201, response.text
    video = response.json()
    share = await client.post(f"{VIDEOS}/{video['id']}/shares", headers=alice.headers, json={})
    assert share.status_code == 201, share.text
    headers = alice.headers | TUS | {"Upload-Length": str(len(mp4_bytes))}
    created = await client.post(UPLOADS, headers=headers)
    assert created.status_code == 201, created.text
    return World(client, alice, video, mp4_bytes, share.json(), created.headers["location"])


def test_the_matrix_covers_every_video_and_user_operation() -> None:
    covered = {
        "users-me",
        "users-change-password",
        "users-delete",
        "auth-logout",
        "videos-list",
        "videos-get",
        "videos-rename",
        "videos-stream",
        "videos-stream-head",
        "videos-poster",
        "videos-storyboard",
        "videos-storyboard-sprite",
        "videos-playback",
        "videos-playback-head",
        "videos-upload",
        "videos-delete",
        "shares-create",
        "shares-list",
        "shares-revoke",
        "uploads-create",
        "uploads-offset",
        "uploads-append",
        "uploads-cancel",
    }
    assert authenticated_operation_ids() == covered
    assert set(REQUESTS) == set(ROUTES)
    assert all(set(codes) == set(ROUTES) for codes in EXPECTED.values())


@pytest.mark.parametrize("identity", list(EXPECTED))
async def test_each_caller_gets_exactly_the_expected_code_on_every_route(
    world: World, identity: str
) -> None:
    headers = await _credentials(identity, world)
    got = {route: (await REQUESTS[route](world, headers)).status_code for route in ROUTES}
    assert got == EXPECTED[identity]


@pytest.mark.parametrize("identity", [i for i in EXPECTED if i != "owner"])
async def test_no_one_but_the_owner_changes_or_sees_the_video(
    world: World, identity: str, db: Any
) -> None:
    headers = await _credentials(identity, world)
    listed = await _list(world, headers)
    if listed.status_code == 200:
        assert listed.json()["items"] == []
    for route in ("rename", "delete", "stream"):
        response = await REQUESTS[route](world, headers)
        assert world.mp4[:64] not in response.content
        assert "secret" not in response.text.lower()
    video = await db["videos"].find_one({})
    assert video is not None
    assert video["title"] == "Alice's secret"
    assert await db["fs.files"].count_documents({"_id": video["file_id"]}) == 1


# The anonymous routes of a share link, against every kind of token: only a
# live link of this very video opens it, whoever sends it and with whatever header.
SHARED = "/api/v1/shared"
NOT_MADE_YET = NotProcessedYet.status_code
SHARED_ROUTES = ["view", "playback", "playback-head", "poster"]
# No worker runs here, so there is no poster yet: the link says so, as the owner's route does.
OPENS = {"view": 200, "playback": 200, "playback-head": 200, "poster": NOT_MADE_YET}
CLOSED = dict.fromkeys(SHARED_ROUTES, 404)
SHARED_EXPECTED = {
    "live-link": OPENS,
    "live-link-with-another-users-token": OPENS,
    "revoked-link": CLOSED,
    "expired-link": CLOSED,
    "link-of-a-deleted-video": CLOSED,
    "forged-link": CLOSED,
    "owners-access-token-as-link": CLOSED,
    "owners-stream-token-as-link": CLOSED,
    "share-id-as-link": CLOSED,
}


def test_the_shared_matrix_covers_every_anonymous_operation() -> None:
    anonymous = {
        operation["operationId"]
        for path, item in openapi_document()["paths"].items()
        if path.startswith(SHARED)
        for operation in item.values()
    }
    assert anonymous == {"shared-get", "shared-playback", "shared-playback-head", "shared-poster"}
    assert all(set(codes) == set(SHARED_ROUTES) for codes in SHARED_EXPECTED.values())


async def _new_share(w: World, video_id: str, **body: Any) -> dict[str, Any]:
    created = await w.client.post(f"{VIDEOS}/{video_id}/shares", headers=w.owner.headers, json=body)
    assert created.status_code == 201, created.text
    share: dict[str, Any] = created.json()
    return share


async def _link(identity: str, w: World, db: Any) -> tuple[str, dict[str, str]]:
    """The token to try, and the headers it is sent with."""
    match identity:
        case "live-link":
            return w.share["token"], {}
        case "live-link-with-another-users-token":
            return w.share["token"], (await sign_up(w.client, "mallory@example.com")).headers
        case "revoked-link":
            share = await _new_share(w, w.video["id"])
            revoked = await w.client.delete(f"{_shares(w)}/{share['id']}", headers=w.owner.headers)
            assert revoked.status_code == 204
            return share["token"], w.owner.headers
        case "expired-link":
            soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
            share = await _new_share(w, w.video["id"], expires_at=soon)
            await db["shares"].update_one(
                {"_id": ObjectId(share["id"])},
                {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
            )
            return share["token"], {}
        case "link-of-a-deleted-video":
            other = await upload(w.client, w.owner, w.mp4, "gone.mp4")
            share = await _new_share(w, other.json()["id"])
            gone = await w.client.delete(f"{VIDEOS}/{other.json()['id']}", headers=w.owner.headers)
            assert gone.status_code == 204
            return share["token"], {}
        case "forged-link":
            token: str = w.share["token"]
            return token[:-1] + ("A" if token[-1] != "A" else "B"), {}
        case "owners-access-token-as-link":
            return w.owner.token, {}
        case "owners-stream-token-as-link":
            return w.video["stream_url"].split("token=", 1)[1], {}
        case "share-id-as-link":
            return w.share["id"], {}
    raise AssertionError(identity)


async def _shared(w: World, route: str, token: str, h: dict[str, str]) -> httpx.Response:
    match route:
        case "view":
            return await w.client.get(f"{SHARED}/{token}", headers=h)
        case "playback":
            return await w.client.get(f"{SHARED}/{token}/playback", headers=h)
        case "playback-head":
            return await w.client.head(f"{SHARED}/{token}/playback", headers=h)
        case "poster":
            return await w.client.get(f"{SHARED}/{token}/poster", headers=h)
    raise AssertionError(route)


@pytest.mark.parametrize("identity", list(SHARED_EXPECTED))
async def test_each_link_gets_exactly_the_expected_code_on_every_shared_route(
    world: World, identity: str, db: Any
) -> None:
    token, headers = await _link(identity, world, db)
    got = {
        route: (await _shared(world, route, token, headers)).status_code for route in SHARED_ROUTES
    }
    assert got == SHARED_EXPECTED[identity]


async def test_a_link_opens_its_own_video_and_no_other(world: World, mp4_bytes: bytes) -> None:
    other = await upload(world.client, world.owner, mp4_bytes[:4096] + b"other", "other.mp4")
    assert other.status_code == 201, other.text
    other_share = await _new_share(
        world,
        other.json()["id"],
    )
    view = (await world.client.get(f"{SHARED}/{other_share['token']}")).json()
    assert view["title"] == "other"
    played = await world.client.get(view["playback_url"])
    assert played.content != mp4_bytes
    assert "secret" not in played.text.lower()
