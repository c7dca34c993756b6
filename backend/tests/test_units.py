"""Pure pieces of the video domain: ranges, sniffing, file names, cursors, chunk spans."""

import base64
from datetime import UTC, datetime

import pytest
from beanie import PydanticObjectId

from tests.media import SNIFFED_CONTENT_TYPES, encode_video
from vidvault.storage.reader import ChunkSpan
from vidvault.uploads.sniffing import sniff_video_type
from vidvault.videos.exceptions import InvalidCursor, RangeNotSatisfiable
from vidvault.videos.filenames import content_disposition, default_title, sanitize_filename
from vidvault.videos.pagination import Cursor, LibrarySort, SortValue
from vidvault.videos.ranges import ByteRange, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),
        ("BYTES = 1-2", ByteRange(1, 2)),
        (None, None),
        ("bytes=9-1", None),
        ("pages=1-2", None),
    ],
)
def test_parse_range(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=-0", "bytes=5000-6000"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as raised:
        parse_range(header, 1000)
    assert raised.value.headers == {"Content-Range": "bytes */1000"}


def test_chunk_span_maps_bytes_to_chunk_numbers() -> None:
    span = ChunkSpan.of(1000, 5000, chunk_size=1024)
    assert (span.first, span.last, span.skip_in_first, span.keep_in_last) == (0, 4, 1000, 905)


@pytest.mark.parametrize(("kind", "content_type"), SNIFFED_CONTENT_TYPES)
def test_sniffing_real_containers(kind: str, content_type: str) -> None:
    found = sniff_video_type(encode_video(kind, seconds=0.2, size=32)[:64])
    assert found is not None and found.content_type == content_type


def test_sniffing_ogg_and_refusals() -> None:
    assert sniff_video_type(b"OggS\x00\x02" + bytes(58)) is not None
    assert sniff_video_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff_video_type(b"GIF89a" + bytes(58)) is None
    assert sniff_video_type(b"") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("clip.mp4", "clip.mp4"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\my clip.mov", "my clip.mov"),
        ('a"b\r\nSet-Cookie: x.mp4', "abSet-Cookie: x.mp4"),
        ("\x00\x1f", "video.mp4"),
        ("...", "video.mp4"),
        (None, "video.mp4"),
        ("é" * 300, "é" * 255),
        # Bidi overrides, marks and isolates, and C1 controls: invisible, and they reorder text.
        ("évil\u202egpj.mp4", "évilgpj.mp4"),
        ("a\u200fb\u061cc\u2066d\u2069.mp4", "abcd.mp4"),
        ("x\x85y\x9b.mp4", "xy.mp4"),
        ("\u202e\u202a", "video.mp4"),
    ],
)
def test_sanitize_filename(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw, ".mp4") == expected


def test_default_title() -> None:
    assert default_title("holiday.final.mp4") == "holiday.final"
    assert default_title(".mp4") == ".mp4"


def test_content_disposition_cannot_inject_headers() -> None:
    header = content_disposition('evil"\r\nX: y.mp4', attachment=False)
    assert "\r" not in header and "\n" not in header
    assert header.startswith('inline; filename="evil___X: y.mp4"')


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        (LibrarySort.NEWEST, datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
        (LibrarySort.OLDEST, datetime(1999, 12, 31, 23, 59, 59, 1000, tzinfo=UTC)),
        (LibrarySort.TITLE, "ete a nimes"),
        (LibrarySort.DURATION, 12.345678901234),
        (LibrarySort.DURATION, None),
        (LibrarySort.SIZE, 2**40 + 1),
    ],
)
def test_cursor_round_trip(sort: LibrarySort, value: SortValue) -> None:
    cursor = Cursor(sort, value, PydanticObjectId())
    assert Cursor.decode(cursor.encode()) == cursor


def _raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_cursor_garbage_is_refused() -> None:
    oid = str(PydanticObjectId())
    wrong_shapes = [
        f'["newest", "not a date", "{oid}"]',
        f'["title", 3, "{oid}"]',
        f'["size", null, "{oid}"]',
        f'["size", true, "{oid}"]',
        f'["sideways", 1, "{oid}"]',
        '["newest", 1, "not-an-id"]',
        '{"sort": "newest"}',
        "[1, 2]",
    ]
    garbage = ["", "!!!", "bm90LWEtY3Vyc29y", "MTIzLnh5eg", *map(_raw_cursor, wrong_shapes)]
    for token in garbage:
        with pytest.raises(InvalidCursor):
            Cursor.decode(token)
