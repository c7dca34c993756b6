"""Reads from the document store with MongoDB's semantics, through its indexes.

A query is planned as MongoDB plans it, from the filter's top-level
equalities (`{f: v}`, `$eq`, each value of `$all`, the values of `$in`) and
the sort: the index whose leading fields the most equalities pin, preferably
one that also yields the sort order after them, is read as one range of
keys. Further `$all` values on the last pinned field are probes of the same
index for the same document (`EXISTS`), so a search for several words reads
only the documents holding all of them, already in order, and stops at the
limit. Every candidate is then checked against the whole filter by
mongoeco's own matcher: the index only narrows, the matcher decides. With no
usable index the collection is scanned and sorted by mongoeco's sorter.
"""

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from mongoeco.core.filtering import QueryEngine
from mongoeco.core.query_plan import compile_filter
from mongoeco.core.sorting import sort_documents

from scripts.embedded.doc_store import Doc, StoredIndex, read_document, stored_indexes
from scripts.embedded.index_keys import component, prefix_upper_bound
from scripts.embedded.sort_keys import UnsupportedKey, sort_key

type Connect = Callable[[], sqlite3.Connection]
type ValueSet = list[Any]  # alternatives: the field equals one of them

FIRST_PAGE_ROWS = 32
MAX_PAGE_ROWS = 1024
ESTIMATE_CAP = 5000


def _indexable(value: Any) -> bool:
    if value is None or isinstance(value, dict | list):
        return False
    try:
        sort_key(value)
    except UnsupportedKey:
        return False
    return True


def equalities(filter_spec: Doc) -> dict[str, list[ValueSet]]:
    """For each field, value sets that a matching document's field must each meet."""
    wanted: dict[str, list[ValueSet]] = {}
    _collect(filter_spec, wanted)
    return wanted


def _collect(filter_spec: Doc, wanted: dict[str, list[ValueSet]]) -> None:
    for name, operand in filter_spec.items():
        if name == "$and" and isinstance(operand, list):
            for part in operand:
                if isinstance(part, dict):
                    _collect(part, wanted)
        elif not str(name).startswith("$"):
            for values in _value_sets(operand):
                wanted.setdefault(name, []).append(values)


def only_equalities(filter_spec: Doc) -> bool:
    """Whether `equalities` says all the filter says (then an index can count alone)."""
    for name, operand in filter_spec.items():
        if name == "$and" and isinstance(operand, list):
            exact = all(isinstance(part, dict) and only_equalities(part) for part in operand)
        else:
            exact = not str(name).startswith("$") and _exactly_equalities(operand)
        if not exact:
            return False
    return True


def _exactly_equalities(operand: Any) -> bool:
    sets = _value_sets(operand)
    if not isinstance(operand, dict):
        return bool(sets)
    # One set per operator ($all: one per value) when every operator is an equality.
    expected = sum(
        len(value) if operator == "$all" and isinstance(value, list) else 1
        for operator, value in operand.items()
    )
    return bool(sets) and len(sets) == expected


def _value_sets(operand: Any) -> list[ValueSet]:
    if not isinstance(operand, dict):
        return [[operand]] if _indexable(operand) else []
    if not operand or not all(str(key).startswith("$") for key in operand):
        return []
    sets: list[ValueSet] = []
    for operator, value in operand.items():
        if operator == "$eq" and _indexable(value):
            sets.append([value])
        elif operator == "$all" and isinstance(value, list) and value:
            sets.extend([item] for item in value if _indexable(item))
        elif (
            operator == "$in" and isinstance(value, list) and value and all(map(_indexable, value))
        ):
            sets.append(list(value))
    return sets


@dataclass
class Plan:
    index: StoredIndex
    driver: list[ValueSet]  # per pinned leading field, the values read
    probes: list[ValueSet] = field(default_factory=list)  # more sets on the last pinned field
    ordered: bool = False  # the range is read in the sort's order
    descending: bool = False


def _sort_order(index: StoredIndex, pinned: int, sort: Doc | None) -> bool | None:
    """Scan direction (True: backwards) giving `sort` after the pinned fields, or None."""
    # A pinned field is one value in every key read, so its sort is a tie; unless it
    # holds arrays: MongoDB sorts those by their smallest (largest) element.
    pinned_paths = {path for path, _ in index.shape.fields[:pinned]} - index.array_fields
    wanted = [(path, d) for path, d in (sort or {}).items() if path not in pinned_paths]
    if not wanted:
        return False
    if not index.ordered:
        return None
    rest = index.shape.fields[pinned:]
    if len(wanted) > len(rest):
        return None
    flips = set()
    for (path, direction), (index_path, descending) in zip(wanted, rest, strict=False):
        if path != index_path or direction not in (1, -1) or path in index.array_fields:
            return None
        flips.add((direction == -1) != descending)
    return flips.pop() if len(flips) == 1 else None


def choose_plan(
    indexes: list[StoredIndex], wanted: dict[str, list[ValueSet]], sort: Doc | None
) -> Plan | None:
    best: tuple[tuple[int, ...], Plan] | None = None
    for index in indexes:
        driver: list[ValueSet] = []
        for path, _ in index.shape.fields:
            sets = wanted.get(path)
            if not sets:
                break
            driver.append(min(sets, key=len))
        direction = _sort_order(index, len(driver), sort)
        single = all(len(values) == 1 for values in driver)
        ordered = direction is not None and single
        if not driver and not (ordered and sort):
            continue
        if not driver and index.shape.sparse:
            continue  # it lacks the documents without its fields; a pinned value needs them
        whole_unique = index.shape.unique and len(driver) == len(index.shape.fields) and single
        score = (int(whole_unique), len(driver), int(ordered), -len(index.shape.fields))
        if best is None or score > best[0]:
            plan = Plan(index, driver, ordered=ordered, descending=bool(direction))
            best = (score, plan)
    if best is None:
        return None
    plan = best[1]
    if plan.driver:
        last_path = plan.index.shape.fields[len(plan.driver) - 1][0]
        plan.probes = [values for values in wanted[last_path] if values is not plan.driver[-1]]
    return plan


def _covers(plan: Plan, wanted: dict[str, list[ValueSet]]) -> bool:
    """Whether the plan's ranges and probes are exactly the filter's equalities."""
    paths = [path for path, _ in plan.index.shape.fields[: len(plan.driver)]]
    if set(wanted) != set(paths) or any(part.isdigit() for p in paths for part in p.split(".")):
        return False  # ("a.0" is positional in MongoDB: never counted on)
    return all(len(wanted[path]) == 1 for path in paths[:-1])


@dataclass
class Query:
    """A find over one document namespace; `documents` reads the matches in order."""

    ns: str
    filter: Doc
    sort: Doc | None = None
    with_data: bool = True  # the chunk store's distinction; a document is read whole

    def __post_init__(self) -> None:
        self._plan = compile_filter(self.filter)
        self._wanted = equalities(self.filter)

    def matches(self, doc: Doc) -> bool:
        return bool(QueryEngine.match_plan(doc, self._plan))

    def exact_count(self, connection: Connect) -> int | None:
        """The number of matches when the indexes alone tell it (no document read)."""
        if not self.filter:
            row = connection().execute("SELECT count(*) FROM documents WHERE ns = ?", (self.ns,))
            return int(row.fetchone()[0])
        plan = choose_plan(stored_indexes(connection(), self.ns), self._wanted, None)
        if plan is None or not self._exactly(plan):
            return None
        return len(_candidate_ids(connection, self.ns, plan))

    def _exactly(self, plan: Plan) -> bool:
        """Whether the plan's keys select exactly the matches (an equal key is an equal
        value: sort_keys.py), so the matcher has nothing left to check."""
        return only_equalities(self.filter) and _covers(plan, self._wanted)

    def documents(self, connection: Connect) -> Iterator[tuple[int, Doc]]:
        """(row id, document) of every match, in sort order.

        `connection` is called for each page: a cursor resumed in another worker
        thread reads with that thread's connection.
        """
        plan = choose_plan(stored_indexes(connection(), self.ns), self._wanted, self.sort)
        check = plan is None or not self._exactly(plan)
        if plan is not None and plan.ordered:
            rows = _ordered_rows(connection, self.ns, plan)
            yield from ((i, doc) for i, doc in rows if not check or self.matches(doc))
            return
        ids = _candidate_ids(connection, self.ns, plan) if plan is not None else None
        # Read later than their ids (page by page, across getMores too): a document may
        # have changed since, so the matcher checks every one, as MongoDB's fetch does.
        matches = ((i, doc) for i, doc in _rows(connection, self.ns, ids) if self.matches(doc))
        if not self.sort:
            yield from matches
            return
        found = list(matches)
        by_identity = {id(doc): i for i, doc in found}
        ordered = sort_documents([doc for _, doc in found], list(self.sort.items()))
        yield from ((by_identity[id(doc)], doc) for doc in ordered)


def _prefix(plan: Plan, values: tuple[Any, ...]) -> bytes:
    fields = plan.index.shape.fields
    return b"".join(component(value, fields[i][1])[0] for i, value in enumerate(values))


def _probe_sql(plan: Plan, driver_values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """EXISTS conditions: the same document has each probe set's value in the last field.

    Its key for another value of that field is the same key with that field's
    part replaced: a compound index has at most one array field per document.
    """
    clauses, params = [], []
    driver_prefix = _prefix(plan, driver_values)
    head = driver_values[:-1]
    for values in plan.probes:
        alternatives = []
        for value in values:
            alternatives.append(
                "EXISTS (SELECT 1 FROM index_entries p WHERE p.ns = e.ns AND p.name = e.name"
                " AND p.key = CAST(? || substr(e.key, ?) AS BLOB) AND p.doc_id = e.doc_id)"
            )
            params += [_prefix(plan, (*head, value)), len(driver_prefix) + 1]
        clauses.append(f"({' OR '.join(alternatives)})")
    return "".join(f" AND {clause}" for clause in clauses), params


def _ordered_rows(connection: Connect, ns: str, plan: Plan) -> Iterator[tuple[int, Doc]]:
    """The one range of keys, in index order (backwards if asked), page by page."""
    driver_values = tuple(values[0] for values in plan.driver)
    prefix = _prefix(plan, driver_values)
    probes, probe_params = _probe_sql(plan, driver_values)
    direction, beyond = ("DESC", "<") if plan.descending else ("ASC", ">")
    page, after, seen = FIRST_PAGE_ROWS, None, set()
    while True:
        resume = f" AND (e.key, e.doc_id) {beyond} (?, ?)" if after else ""
        sql = (
            "SELECT e.key, e.doc_id, d.doc FROM index_entries e"
            " JOIN documents d ON d.id = e.doc_id"
            f" WHERE e.ns = ? AND e.name = ? AND e.key >= ? AND e.key < ?{resume}{probes}"
            f" ORDER BY e.key {direction}, e.doc_id {direction} LIMIT {page}"
        )
        params = [ns, plan.index.shape.name, prefix, prefix_upper_bound(prefix)]
        rows = connection().execute(sql, [*params, *(after or ()), *probe_params]).fetchall()
        for _, doc_id, blob in rows:
            if doc_id not in seen:  # a multikey index holds a document once per element
                seen.add(doc_id)
                yield doc_id, read_document(blob)
        if len(rows) < page:
            return
        after = (rows[-1][0], rows[-1][1])
        page = min(page * 2, MAX_PAGE_ROWS)


def _candidate_ids(connection: Connect, ns: str, plan: Plan) -> list[int]:
    """Ids of the documents under every combination of the driver's values."""
    ids: dict[int, None] = {}
    for values in product(*plan.driver):
        prefix = _prefix(plan, values)
        probes, probe_params = _probe_sql(plan, values)
        sql = (
            "SELECT e.doc_id FROM index_entries e WHERE e.ns = ? AND e.name = ?"
            f" AND e.key >= ? AND e.key < ?{probes}"
        )
        params = [ns, plan.index.shape.name, prefix, prefix_upper_bound(prefix), *probe_params]
        ids.update(dict.fromkeys(row[0] for row in connection().execute(sql, params)))
    return list(ids)


def _rows(connection: Connect, ns: str, ids: list[int] | None) -> Iterator[tuple[int, Doc]]:
    """The given documents (all the collection's, in stored order, for None)."""
    if ids is not None:
        for start in range(0, len(ids), MAX_PAGE_ROWS):
            chunk = ids[start : start + MAX_PAGE_ROWS]
            marks = ",".join("?" * len(chunk))
            found = dict(
                connection().execute(f"SELECT id, doc FROM documents WHERE id IN ({marks})", chunk)
            )
            yield from ((i, read_document(found[i])) for i in chunk if i in found)
        return
    after = 0
    while rows := (
        connection()
        .execute(
            "SELECT id, doc FROM documents WHERE ns = ? AND id > ? ORDER BY id LIMIT ?",
            (ns, after, MAX_PAGE_ROWS),
        )
        .fetchall()
    ):
        yield from ((i, read_document(blob)) for i, blob in rows)
        after = rows[-1][0]
