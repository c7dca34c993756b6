"""Command options our stores cannot honour: refused with a clear error, never ignored.

Ignoring one would answer another question: a collation changes what matches
and in which order, `min`/`max` bound the scan, `returnKey` and `showRecordId`
change what is returned, an update's `sort` (MongoDB 8) picks which document
changes, a validator or a cap constrain every later write. Options that leave
the answer as it is (hint, comment, maxTimeMS, batchSize, ...) pass.
"""

from typing import Any

from mongoeco.errors import OperationFailure

type Doc = dict[str, Any]

ILLEGAL_OPERATION = 20
SIMPLE_COLLATION: Doc = {"locale": "simple"}  # binary comparison: the same as none
_COMMAND_OPTIONS: dict[str, tuple[str, ...]] = {
    "find": ("collation", "min", "max", "returnKey", "showRecordId", "tailable", "awaitData"),
    "count": ("collation",),
    "distinct": ("collation",),
    "aggregate": ("collation",),
    "findAndModify": ("collation",),
    "create": (
        "capped",
        "validator",
        "timeseries",
        "expireAfterSeconds",
        "clusteredIndex",
        "viewOn",
        "collation",
        "encryptedFields",
    ),
}
# Options of each statement of a write command: (the command's list, the options).
_STATEMENT_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "update": ("updates", ("collation", "sort")),
    "delete": ("deletes", ("collation",)),
}


def refuse_unsupported_options(command_name: str, command: Doc) -> None:
    """Raise before anything is read or written if the command asks for one of them."""
    asked = [name for name in _COMMAND_OPTIONS.get(command_name, ()) if _set(command.get(name))]
    if command_name in _STATEMENT_OPTIONS:
        field, options = _STATEMENT_OPTIONS[command_name]
        statements = [s for s in command.get(field) or [] if isinstance(s, dict)]
        asked += [name for s in statements for name in options if _set(s.get(name))]
    if asked:
        raise OperationFailure(
            f"{command_name} with {', '.join(dict.fromkeys(asked))} is not supported"
            " on this collection by the embedded database",
            code=ILLEGAL_OPERATION,
        )


def _set(value: Any) -> bool:
    return value is not None and value is not False and value != SIMPLE_COLLATION
