"""Title search: case- and accent-insensitive word and word-prefix matching.

Every video stores its title's normalised words and all their prefixes
(`title_terms`), so a search is an equality match on an indexed array, never
a regular expression over every document. `title_key` is the normalised
title, for sorting by title.
"""

import re
import unicodedata
from typing import TypedDict

# Longer query words are cut to this length, as the stored prefixes are.
MAX_TERM_LENGTH = 24
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """Lower case without accents: "Été à Nîmes" becomes "ete a nimes"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare).casefold()


def words(text: str) -> list[str]:
    # "_" is a word character to \w but a separator in file-name-like titles.
    return _WORD.findall(normalize(text).replace("_", " "))


def title_key(title: str) -> str:
    return " ".join(words(title))


def title_terms(title: str) -> list[str]:
    """Every prefix of every word of the title, each once."""
    terms: dict[str, None] = {}
    for word in words(title):
        for length in range(1, min(len(word), MAX_TERM_LENGTH) + 1):
            terms[word[:length]] = None
    return list(terms)


def query_terms(query: str | None) -> list[str]:
    """The terms a title must all contain to match; empty when the query has no words."""
    return list(dict.fromkeys(word[:MAX_TERM_LENGTH] for word in words(query or "")))


class SearchFields(TypedDict):
    title_key: str
    title_terms: list[str]


def search_fields(title: str) -> SearchFields:
    """The stored fields derived from a title, written whenever the title is."""
    return SearchFields(title_key=title_key(title), title_terms=title_terms(title))
