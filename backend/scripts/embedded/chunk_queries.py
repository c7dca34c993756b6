"""Reads from the chunk table with MongoDB's semantics.

A query becomes SQL in two steps. First, conditions on `files_id`, `n` and
`_id` that MongoDB would also answer from its `(files_id, n)` and `_id`
indexes narrow the rows (a superset of the answer). Then mongoeco's own
matcher checks every candidate against the whole filter, so every operator
keeps MongoDB's meaning, not only the ones the index understands.

Sorts on the index order are read in that order, page by page, resuming after
the last key seen, so a cursor over a 1 GiB file holds one page at a time.
Any other sort is done by mongoeco's sorter over the candidates' small
metadata (never their bytes), then the rows are read in that order.
"""

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mongoeco.core.filtering import QueryEngine
from mongoeco.core.projections import apply_projection
from mongoeco.core.query_plan import compile_filter
from mongoeco.core.sorting import sort_documents

from scripts.embedded.chunk_store import Doc, decode_chunk
from scripts.embedded.sort_keys import UnsupportedKey, bracket_bounds, sort_key

KEY_COLUMNS = {"files_id": "files_key", "_id": "id_key"}
RANGE_OPERATORS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
DATA_OPERATORS = {"$where", "$expr", "$jsonSchema", "$function", "$text"}
META_PAGE_ROWS = 512
DATA_PAGE_ROWS = 4
FILE_ORDER = ("files_key", "n", "id_key")

type Connect = Callable[[], sqlite3.Connection]


def mentions_data(spec: Any) -> bool:
    """Whether a filter, sort or projection could read the `data` field."""
    if isinstance(spec, dict):
        return any(
            key == "data"
            or str(key).startswith("data.")
            or key in DATA_OPERATORS
            or mentions_data(value)
            for key, value in spec.items()
        )
    if isinstance(spec, list | tuple):
        return any(mentions_data(item) for item in spec)
    return isinstance(spec, str) and (spec.startswith(("$data", "$$ROOT", "$$CURRENT")))


def projection_needs_data(projection: Doc | None) -> bool:
    if projection is None:
        return True
    if mentions_data(projection):
        return not _excludes_only_data(projection)
    inclusion = [v for k, v in projection.items() if k != "_id"]
    # An exclusion projection keeps every other field, data included.
    return not inclusion or not all(v is True or (type(v) in (int, float) and v) for v in inclusion)


def _excludes_only_data(projection: Doc) -> bool:
    return projection.get("data") in (0, False) and not mentions_data(
        {k: v for k, v in projection.items() if k != "data"}
    )


@dataclass
class Conditions:
    """SQL conditions implied by a filter: never narrower than the filter."""

    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.sql.append(sql)
        self.params.extend(params)


def _key_condition(conditions: Conditions, column: str, operand: Any) -> None:
    if isinstance(operand, dict) and operand and all(str(k).startswith("$") for k in operand):
        for operator, value in operand.items():
            _key_operator(conditions, column, operator, value)
    elif not isinstance(operand, dict | list):
        _key_operator(conditions, column, "$eq", operand)


def _key_operator(conditions: Conditions, column: str, operator: str, value: Any) -> None:
    try:
        if operator == "$eq" and not isinstance(value, dict | list):
            conditions.add(f"{column} = ?", sort_key(value))
        elif operator == "$in" and isinstance(value, list) and value:
            keys = [sort_key(item) for item in value]
            conditions.add(f"{column} IN ({','.join('?' * len(keys))})", *keys)
        elif operator in RANGE_OPERATORS and not isinstance(value, dict | list):
            low, high = bracket_bounds(value)
            conditions.add(
                f"{column} {RANGE_OPERATORS[operator]} ? AND {column} >= ? AND {column} < ?",
                sort_key(value),
                low,
                high,
            )
    except UnsupportedKey:
        return  # a regex, a document, None in a range ...: the matcher decides


def _is_number(value: Any) -> bool:
    inner = getattr(value, "value", value)
    return isinstance(inner, int | float) and not isinstance(inner, bool)


def _n_condition(conditions: Conditions, operand: Any) -> None:
    operators = (
        operand.items()
        if isinstance(operand, dict) and operand and all(str(k).startswith("$") for k in operand)
        else [("$eq", operand)]
        if _is_number(operand)
        else []
    )
    for operator, value in operators:
        if operator == "$eq" and _is_number(value):
            conditions.add("n = ?", getattr(value, "value", value))
        elif operator in RANGE_OPERATORS and _is_number(value):
            conditions.add(f"n {RANGE_OPERATORS[operator]} ?", getattr(value, "value", value))
        elif (
            operator == "$in" and isinstance(value, list) and value and all(map(_is_number, value))
        ):
            numbers = [getattr(item, "value", item) for item in value]
            conditions.add(f"n IN ({','.join('?' * len(numbers))})", *numbers)


def conditions_for(filter_spec: Doc) -> Conditions:
    conditions = Conditions()
    _collect(conditions, filter_spec)
    return conditions


def _collect(conditions: Conditions, filter_spec: Doc) -> None:
    for name, operand in filter_spec.items():
        if name in KEY_COLUMNS:
            _key_condition(conditions, KEY_COLUMNS[name], operand)
        elif name == "n":
            _n_condition(conditions, operand)
        elif name == "$and" and isinstance(operand, list):
            for part in operand:
                if isinstance(part, dict):
                    _collect(conditions, part)


def _pinned_file(filter_spec: Doc) -> bool:
    value = filter_spec.get("files_id")
    if isinstance(value, dict) and set(value) == {"$eq"}:
        value = value["$eq"]
    return value is not None and not isinstance(value, dict | list)


def index_order(sort: Doc | None, filter_spec: Doc) -> tuple[tuple[str, ...], bool] | None:
    """The columns and direction that read `sort` straight off an index, if any."""
    if not sort:
        return FILE_ORDER, False
    directions = set(sort.values())
    if len(directions) != 1 or directions - {1, -1}:
        return None
    descending = directions == {-1}
    keys = list(sort)
    if keys in (["files_id"], ["files_id", "n"]) or (keys == ["n"] and _pinned_file(filter_spec)):
        return FILE_ORDER, descending
    if keys == ["_id"]:
        return ("id_key",), descending
    return None


@dataclass
class Query:
    """A find over one chunk namespace; `rows` reads the matching documents in order."""

    ns: str
    filter: Doc
    sort: Doc | None = None
    with_data: bool = True

    def __post_init__(self) -> None:
        self._plan = compile_filter(self.filter)
        self._conditions = conditions_for(self.filter)

    def matches(self, doc: Doc) -> bool:
        return bool(QueryEngine.match_plan(doc, self._plan))

    def exact_count(self, connection: Connect) -> int | None:
        return None  # chunk queries are counted as read

    def documents(self, connection: Connect) -> Iterator[tuple[int, Doc]]:
        """(rowid, document) of every match, in sort order, read page by page.

        `connection` is called for each page: a cursor resumed in another worker
        thread reads with that thread's connection.
        """
        order = index_order(self.sort, self.filter)
        rows = (
            self._keyset_rows(connection, *order)
            if order is not None
            else self._sorted_rows(connection)
        )
        for rowid, doc in rows:
            if self.matches(doc):
                yield rowid, doc

    def _select(self, with_data: bool) -> str:
        data = "data" if with_data else "length(data) IS NOT NULL"
        return f"SELECT rowid, meta, {data}, {', '.join(FILE_ORDER)} FROM chunks"

    def _where(self, extra: list[str]) -> str:
        return " AND ".join(["ns = ?", *self._conditions.sql, *extra])

    def _decode(self, meta: bytes, data: Any) -> Doc:
        if self.with_data:
            return decode_chunk(meta, data)
        return decode_chunk(meta, b"" if data else None, with_data=False)

    def _keyset_rows(
        self, connection: Connect, columns: tuple[str, ...], descending: bool
    ) -> Iterator[tuple[int, Doc]]:
        direction, compare = ("DESC", "<") if descending else ("ASC", ">")
        order = ", ".join(f"{column} {direction}" for column in columns)
        page = DATA_PAGE_ROWS if self.with_data else META_PAGE_ROWS
        after: tuple[Any, ...] | None = None
        while True:
            extra = [f"({', '.join(columns)}) {compare} ({', '.join('?' * len(columns))})"]
            sql = (
                f"{self._select(self.with_data)} WHERE {self._where(extra if after else [])} "
                f"ORDER BY {order} LIMIT {page}"
            )
            params = [self.ns, *self._conditions.params, *(after or ())]
            rows = connection().execute(sql, params).fetchall()
            for rowid, meta, data, *_ in rows:
                yield rowid, self._decode(meta, data)
            if len(rows) < page:
                return
            last = dict(zip(FILE_ORDER, rows[-1][3:], strict=True))
            after = tuple(last[column] for column in columns)

    def _sorted_rows(self, connection: Connect) -> Iterator[tuple[int, Doc]]:
        # Sort the matches' metadata (the bytes only if the sort reads them), then
        # read each row in that order.
        needs_data = mentions_data(self.sort) or mentions_data(self.filter)
        probe = Query(self.ns, self.filter, None, with_data=needs_data)
        matches = [(doc, rowid) for rowid, doc in probe.documents(connection)]
        by_id = {id(doc): rowid for doc, rowid in matches}
        ordered = sort_documents([doc for doc, _ in matches], list((self.sort or {}).items()))
        for doc in ordered:
            rowid = by_id[id(doc)]
            row = (
                connection()
                .execute(f"{self._select(self.with_data)} WHERE rowid = ?", (rowid,))
                .fetchone()
            )
            if row is not None:
                yield rowid, self._decode(row[1], row[2])


def projector(projection: Doc | None, filter_spec: Doc) -> Callable[[Doc], Doc]:
    if projection is None:
        return lambda doc: doc
    return lambda doc: apply_projection(doc, projection, selector_filter=filter_spec)
