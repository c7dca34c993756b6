"""Write the app's OpenAPI document: `python scripts/export_openapi.py [PATH]`.

The committed `openapi/openapi.json` is the API contract for generated
clients; a test fails when it differs from what the app serves.
"""

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from vidvault.core.config import Settings
from vidvault.main import create_app

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    # Fixed settings, so the document never depends on the local environment.
    # The key only satisfies validation: nothing is signed while exporting.
    settings = Settings(_env_file=None, docs_enabled=True, secret_key=secrets.token_urlsafe(48))
    return create_app(settings).openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
