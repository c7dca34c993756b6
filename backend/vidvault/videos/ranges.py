"""Byte ranges (RFC 9110 section 14): parse one `Range` header against a size."""

from dataclasses import dataclass

from vidvault.videos.exceptions import RangeNotSatisfiable

MAX_RANGE_HEADER_PREFIX = 200  # only the first range is ever read; no need to scan more


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def _parse_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _first_spec(header: str) -> str | None:
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    return specs[:MAX_RANGE_HEADER_PREFIX].split(",", 1)[0].strip()


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range to serve, or None to serve the whole representation (200).

    A header we cannot parse is ignored, as RFC 9110 allows. Of several
    ranges only the first is served: browsers never ask for more, and a
    multipart/byteranges answer would let one header fan out into thousands
    of reads. A syntactically valid range that misses the file raises 416.
    """
    spec = _first_spec(header) if header else None
    if not spec or "-" not in spec:
        return None
    first, _, last = spec.partition("-")
    if not first.strip():
        suffix = _parse_int(last)
        if suffix is None:
            return None
        if suffix == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(size - suffix, 0), size - 1)
    start = _parse_int(first)
    end = _parse_int(last) if last.strip() else None
    if start is None or (last.strip() and (end is None or end < start)):
        return None
    if start >= size:
        raise RangeNotSatisfiable(size)
    return ByteRange(start, size - 1 if end is None else min(end, size - 1))
