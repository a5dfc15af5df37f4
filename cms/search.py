"""The site's search backend: Wagtail's database backend, fed words only.

Wagtail's database backends build the full-text query from the raw text (upstream Wagtail bug
#13227): on SQLite each whitespace-separated term is wrapped in FTS5 double quotes without
escaping, so `a"` is a syntax error (a 500) and `zzzz"OR"bạo` becomes `"zzzz" OR "bạo"`.
Every caller (site search, the admin's search boxes and choosers, `QuerySet.search`) goes
through `_search`, so the words are taken out of the text there, once: what a user types is
only ever words to find, never query syntax.
"""

import copy
import functools
import unicodedata

from django.db.models import QuerySet

from modelsearch.backends.database import SearchBackend as database_search_backend
from modelsearch.query import MATCH_ALL, And, Boost, Fuzzy, Not, Or, Phrase, PlainText

# Bounds the work one search does (each word is a term in the full-text query, and the backends
# combine terms recursively): a 10,000-character query must not become 5,000 terms. The same
# bound holds for the parts of a parsed query (the admin's page search parses quoted phrases).
MAX_WORDS = 32


def _is_word_character(character):
    # Letters, digits and combining marks, in any script: Vietnamese keeps its diacritics
    # whether they come precomposed (NFC) or as combining marks (NFD).
    return unicodedata.category(character)[0] in "LNM"


def search_words(text):
    """The words in `text`, in order: letters, digits and marks; everything else separates."""
    words, current = [], []
    for character in unicodedata.normalize("NFC", str(text)):
        if _is_word_character(character):
            current.append(character)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    # A mark with no letter before it is not a word.
    words = [word for word in words if unicodedata.category(word[0])[0] != "M"]
    return words[:MAX_WORDS]


def words_only(query):
    """`query` (text or a search query tree) with every text part reduced to its words.

    Returns "" when nothing searchable is left.
    """
    if isinstance(query, str):
        return " ".join(search_words(query))
    if isinstance(query, (PlainText, Fuzzy, Phrase)):
        text = " ".join(search_words(query.query_string))
        if not text:
            return ""
        cleaned = copy.copy(query)
        cleaned.query_string = text
        return cleaned
    if isinstance(query, (And, Or)):
        subqueries = [words_only(subquery) for subquery in query.subqueries]
        subqueries = [subquery for subquery in subqueries if subquery != ""][:MAX_WORDS]
        if not subqueries:
            return ""
        return query.__class__(subqueries)
    if isinstance(query, Not):
        subquery = words_only(query.subquery)
        return Not(subquery) if subquery != "" else ""
    if isinstance(query, Boost):
        subquery = words_only(query.subquery)
        return Boost(subquery, query.boost) if subquery != "" else ""
    return query  # MatchAll, or a query with no text of its own


@functools.cache
def _sql_filters_compiler(compiler_class):
    """`compiler_class` without the check that every filter is an indexed FilterField.

    That check keeps a query portable to search servers that filter in their own index; the
    database backends apply the queryset's filters as SQL, so any filter works. Wagtail's own
    listings filter their searches on fields no index lists (the image chooser's tag, the usage
    count of images and documents): with the check, a search there plus a filter was a 500.
    """

    class SQLFiltersQueryCompiler(compiler_class):
        def _get_filters_from_queryset(self, check_only=False):
            if check_only:
                return None
            return super()._get_filters_from_queryset(check_only=check_only)

    return SQLFiltersQueryCompiler


class WordsOnlySearch:
    """Mixed into the database backend chosen for the connection's vendor."""

    # modelsearch's SQLite FTS5 backend takes a search restricted to some fields (a viewset's
    # `search_fields`) as FTS5 column names, which model fields are not: "no such column: name",
    # a 500 on every search of such a listing. Its index has only title, body and autocomplete
    # columns, so there it searches all of the model's indexed text instead.
    restricts_fields = True

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if not self.restricts_fields:
            kwargs["fields"] = None
        query = words_only(query)
        if query == "":
            # Nothing to search for: no results, but results of this model, as callers (the
            # admin's listings) read their model; the backends' own empty answer has none.
            if not isinstance(model_or_queryset, QuerySet):
                model_or_queryset = model_or_queryset._default_manager.all()
            query, model_or_queryset = MATCH_ALL, model_or_queryset.none()
        return super()._search(_sql_filters_compiler(query_compiler_class), query, model_or_queryset, **kwargs)


@functools.cache
def _words_only_class(backend_class):
    attributes = {"restricts_fields": backend_class.__name__ != "SQLiteSearchBackend"}
    return type(f"WordsOnly{backend_class.__name__}", (WordsOnlySearch, backend_class), attributes)


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    """Wagtail's database backend for this connection (PostgreSQL, SQLite FTS5 …), words only."""
    vendor_backend = database_search_backend(params)
    return _words_only_class(type(vendor_backend))(params)
