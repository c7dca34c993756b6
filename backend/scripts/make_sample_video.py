"""Write a small real video for trying Vidvault out: `make sample-video` -> clip.mp4."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.media import encode_video


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "clip.mp4")
    kind = target.suffix.lstrip(".") or "mp4"
    target.write_bytes(encode_video(kind, seconds=5, size=320))
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
