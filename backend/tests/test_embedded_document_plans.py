"""The document store reads the library's queries off their indexes (scripts/embedded/doc_queries.py).

The conformance tests (test_embedded_document_store.py) hold the answers to
MongoDB's; these hold the plans to what makes them fast: the app's own
indexes (vidvault/videos/models.py) and the filters list_page sends.
"""

import pytest
from beanie import PydanticObjectId
from bson import ObjectId

from scripts.embedded.doc_queries import Plan, choose_plan, equalities, only_equalities
from scripts.embedded.doc_store import StoredIndex, shape_of
from scripts.embedded.write_rules import ID_INDEX
from vidvault.videos.models import Video
from vidvault.videos.pagination import SORT_KEYS, Cursor, LibrarySort
from vidvault.videos.search import query_terms

OWNER = ObjectId()


def app_indexes(multikey: bool = True) -> list[StoredIndex]:
    specs = [ID_INDEX, *(model.document for model in Video.Settings.indexes)]
    indexes = [StoredIndex(dict(spec), shape_of(spec)) for spec in specs]
    for index in indexes:
        if multikey and "title_terms" in index.spec["key"]:
            index.array_fields = {"title_terms"}
    return indexes


def plan_for(sort: LibrarySort, query: str | None = None, cursor: Cursor | None = None) -> Plan:
    """The plan for list_page's query (vidvault/videos/service.py)."""
    key = SORT_KEYS[sort]
    conditions: dict[str, object] = {"owner_id": OWNER}
    if terms := query_terms(query):
        conditions["title_terms"] = {"$all": terms}
    if cursor is not None:
        conditions |= cursor.after_filter()
    sort_spec = {field: int(direction) for field, direction in key.spec()}
    plan = choose_plan(app_indexes(), equalities(conditions), sort_spec)
    assert plan is not None
    return plan


@pytest.mark.parametrize("sort", list(LibrarySort))
def test_a_search_reads_one_range_in_order_and_probes_the_other_words(sort: LibrarySort) -> None:
    plan = plan_for(sort, "Zürich 2019 bea")
    name = "newest_first" if sort in (LibrarySort.NEWEST, LibrarySort.OLDEST) else sort.value
    assert plan.index.shape.name == f"owner_search_{name}"
    assert plan.ordered and plan.descending == (sort is LibrarySort.OLDEST)
    assert plan.driver[0] == [OWNER]
    words = [plan.driver[1], *plan.probes]
    assert sorted(value for values in words for value in values) == ["2019", "bea", "zurich"]


@pytest.mark.parametrize("sort", list(LibrarySort))
def test_a_library_page_reads_the_owner_range_in_order(sort: LibrarySort) -> None:
    cursor = Cursor(sort, None if SORT_KEYS[sort].nullable else "x", PydanticObjectId())
    for page in (None, cursor):
        plan = plan_for(sort, cursor=page)
        name = "newest_first" if sort in (LibrarySort.NEWEST, LibrarySort.OLDEST) else sort.value
        assert plan.index.shape.name == f"owner_{name}"
        assert plan.ordered and plan.driver == [[OWNER]] and not plan.probes


def test_an_array_sort_field_is_never_read_in_index_order() -> None:
    indexes = app_indexes()
    search = next(i for i in indexes if i.shape.name == "owner_search_size")
    search.array_fields.add("size")  # a document once stored an array there
    plan = choose_plan([search], equalities({"owner_id": OWNER, "title_terms": "a"}), {"size": -1})
    assert plan is not None and not plan.ordered  # sorted by mongoeco's sorter instead


def test_one_id_reads_the_id_index() -> None:
    video_id = ObjectId()
    plan = choose_plan(app_indexes(), equalities({"_id": video_id, "owner_id": OWNER}), None)
    assert plan is not None and plan.index.shape.name == "_id_"


@pytest.mark.parametrize(
    ("filter_spec", "exact"),
    [
        ({"owner_id": OWNER}, True),
        ({"owner_id": OWNER, "title_terms": {"$all": ["a", "b"]}}, True),
        ({"owner_id": {"$in": [OWNER, ObjectId()]}}, True),
        ({"owner_id": OWNER, "size": {"$gt": 3}}, False),
        ({"owner_id": OWNER, "poster": None}, False),
        ({"$or": [{"owner_id": OWNER}]}, False),
        ({"owner_id": {"$in": [OWNER, None]}}, False),
        ({"title_terms": {"$all": ["a", {"$elemMatch": {"$eq": "b"}}]}}, False),
    ],
)
def test_only_plain_equalities_are_counted_from_the_index(
    filter_spec: dict[str, object], exact: bool
) -> None:
    assert only_equalities(filter_spec) is exact
