"""The persistent default database for seeding a bench library: `python seed_db.py --port ...`.

The same launcher as `make db` (backend/scripts/embedded_mongo.py, same
arguments), with one change: mongoeco's SQLite engine does not check an
inserted document against the unique indexes. That check decodes every
stored document of the collection for each insert, so 10,000 videos take
hours to insert through it (search.py measures the cost of one insert at
full size instead). The bench's documents are unique by construction (fresh
ObjectIds), so the file this writes is the one the checked path would write;
the bench then serves it with the unchanged launcher.
"""

import runpy
import sys
from typing import Any

from mongoeco.engines.sqlite import SQLiteEngine
from procs import BACKEND


def _unchecked(*_: Any, **__: Any) -> None:
    return None


def main() -> None:
    SQLiteEngine._validate_document_against_unique_indexes = _unchecked  # type: ignore[method-assign]
    launcher = BACKEND / "scripts" / "embedded_mongo.py"
    sys.argv = [str(launcher), *sys.argv[1:]]
    runpy.run_path(str(launcher), run_name="__main__")


if __name__ == "__main__":
    main()
