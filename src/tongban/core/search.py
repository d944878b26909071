"""Full-text search (全文检索) over segmented Chinese text, in the application's own database.

One ``SearchIndex`` per kind of object (``SearchIndex("documents")`` → table
``search_documents``). It holds, per object, the ``text.index_tokens`` of a few text columns
(title, body, extra: attachment text and the like), keyed by the object's integer primary key.
Two back ends, chosen by ``connection.vendor``:

- SQLite: an FTS5 table (``unicode61`` tokenizer over the space-separated tokens; rowid = the
  object's key). Not the trigram tokenizer: it cannot find two-character words.
- PostgreSQL: a table of one ``tsvector`` per object (``to_tsvector('simple', tokens)``, each
  column under its own weight A, B, C, D) with a GIN index.

Writing: ``put``/``put_many``/``remove`` run in the caller's transaction (never a commit of their
own), so the index changes exactly when the object does — call them from the service that
saves or deletes the object.

Reading: ``search(queryset, q)`` narrows *the caller's* queryset to the objects that match every
term of ``q``, annotated with ``search_title_hit`` and ``search_rank``, ordered title hits first,
then by relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL, title weighted above body above
extra), then newest key first. The caller adds its own filters (permission, type, year) and
slices; the whole thing is one SQL statement, so the permission filter applies inside it.
Ranking visits every match: a query of two very common words over a million documents takes a
few hundred milliseconds on SQLite. ``search(..., window=N)`` bounds that by ranking only the
N newest matches (see ``search``).

Queries are never passed to the database's query language as typed: ``text.parse_query`` keeps
only letters and digits, and each term is quoted, so quotes, ``*``, ``NEAR``, ``AND``/``OR``,
parentheses, ``:``, column filters and emoji are never syntax. A query with nothing to look for
(empty, punctuation only) matches nothing: ``search`` returns ``queryset.none()`` and ``terms``
an empty list, which a caller can use to ask for a search word.
"""

# ruff: noqa: S608, S611 — SQL is built only from identifiers checked against _IDENTIFIER and
# quoted; every value (texts, keys, the query) is a parameter.
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol, TypeVar

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import RunPython
from django.db.migrations.state import StateApps
from django.db.models.expressions import Expression, RawSQL, Subquery

from tongban.core import text
from tongban.core.text import Term

__all__ = ["MAX_DISTINCT_TOKENS", "RANK", "TITLE_HIT", "WEIGHTS", "SearchIndex"]

M = TypeVar("M", bound=models.Model)

#: Names of the annotations ``search`` adds.
RANK = "search_rank"
TITLE_HIT = "search_title_hit"

#: Relevance weight of each column in order (title, body, extra, …); the same on both back ends
#: (they are PostgreSQL's default weights of A, B, C, D).
WEIGHTS = (1.0, 0.4, 0.2, 0.1)

#: At most this many different tokens are indexed per object (title first, then body, extra):
#: PostgreSQL refuses a tsvector over 1 MB, which a huge attachment full of distinct numbers
#: would reach. Both back ends apply the same limit, so they find the same objects.
MAX_DISTINCT_TOKENS = 40_000

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,39}")
# FTS5 reserves these names for its own columns and query syntax.
_RESERVED = {"rowid", "rank", "and", "or", "not", "near", "object_id", "document"}


class _Backend(Protocol):
    def create(self, cursor: Any) -> None: ...
    def drop(self, cursor: Any) -> None: ...
    def put_sql(self) -> str: ...
    def remove(self, cursor: Any, pks: list[int]) -> None: ...
    def clear(self, cursor: Any) -> None: ...
    def optimize(self, cursor: Any) -> None: ...
    def key(self) -> str: ...
    def match(self, terms: list[Term]) -> tuple[str, list[Any]]: ...
    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]: ...


def _quote(name: str) -> str:
    return f'"{name}"'


class _Fts5:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.table = _quote(index.table)

    def create(self, cursor: Any) -> None:
        columns = ", ".join(self.index.columns)
        # remove_diacritics 0: PostgreSQL's 'simple' keeps accents, so SQLite must too.
        cursor.execute(
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({columns}, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )

    def drop(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def put_sql(self) -> str:
        marks = ", ".join(["%s"] * (len(self.index.columns) + 1))
        columns = ", ".join(self.index.columns)
        return f"INSERT OR REPLACE INTO {self.table} (rowid, {columns}) VALUES ({marks})"

    def remove(self, cursor: Any, pks: list[int]) -> None:
        cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in pks])

    def clear(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.table}")

    def optimize(self, cursor: Any) -> None:
        # Merges every segment into one: fewer b-trees to look a term up in.
        cursor.execute(f"INSERT INTO {self.table} ({self.table}) VALUES ('optimize')")

    @staticmethod
    def _phrase(word: str, prefix: bool = False) -> str:
        return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")

    def _term(self, term: Term) -> str:
        if term.parts:
            parts = " AND ".join(self._phrase(p) for p in term.parts)
            return f"({self._phrase(term.word)} OR ({parts}))"
        return self._phrase(term.word, term.prefix)

    def key(self) -> str:
        return f"{self.table}.rowid"

    def match(self, terms: list[Term]) -> tuple[str, list[Any]]:
        return f"{self.table} MATCH %s", [" AND ".join(self._term(t) for t in terms)]

    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]:
        weights = ", ".join(str(w) for w in WEIGHTS[: len(self.index.columns)])
        title_only = ", ".join(["1.0"] + ["0.0"] * (len(self.index.columns) - 1))
        return {
            # BM25 counting only the title is above zero exactly when a word of the query (or a
            # part of one) is in the title. Computed per matching row: cheaper than a second
            # MATCH on the title, whose rows would all be collected for a common word.
            TITLE_HIT: RawSQL(
                f"bm25({self.table}, {title_only}) < 0", (), output_field=models.BooleanField()
            ),
            # FTS5's bm25() is lower for better matches; negated so that higher is better.
            RANK: RawSQL(f"-bm25({self.table}, {weights})", (), output_field=models.FloatField()),
        }


class _Postgres:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.table = _quote(index.table)

    def create(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE TABLE {self.table} (object_id bigint PRIMARY KEY, document tsvector NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX {_quote(self.index.table + '_document')} "
            f"ON {self.table} USING gin (document)"
        )

    def drop(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def put_sql(self) -> str:
        vector = " || ".join(
            f"setweight(to_tsvector('simple', %s), '{weight}')"
            for weight in "ABCD"[: len(self.index.columns)]
        )
        return (
            f"INSERT INTO {self.table} (object_id, document) VALUES (%s, {vector}) "
            "ON CONFLICT (object_id) DO UPDATE SET document = EXCLUDED.document"
        )

    def remove(self, cursor: Any, pks: list[int]) -> None:
        cursor.execute(f"DELETE FROM {self.table} WHERE object_id = ANY(%s)", [pks])

    def clear(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.table}")

    def optimize(self, cursor: Any) -> None:
        # Folds the GIN index's pending list into the index and refreshes planner statistics.
        cursor.execute(
            "SELECT gin_clean_pending_list(%s::regclass)", [self.index.table + "_document"]
        )
        cursor.execute(f"ANALYZE {self.table}")

    @staticmethod
    def _lexeme(word: str, suffix: str = "") -> str:
        return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'" + suffix

    def _term(self, term: Term) -> str:
        if term.parts:
            parts = " & ".join(self._lexeme(p) for p in term.parts)
            return f"({self._lexeme(term.word)} | ({parts}))"
        return self._lexeme(term.word, ":*" if term.prefix else "")

    def key(self) -> str:
        return f"{self.table}.object_id"

    def _query(self, terms: list[Term]) -> str:
        return " & ".join(self._term(t) for t in terms)

    def match(self, terms: list[Term]) -> tuple[str, list[Any]]:
        return f"{self.table}.document @@ to_tsquery('simple', %s)", [self._query(terms)]

    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]:
        # Any word of the query or part of one, under the title's weight A (as on SQLite).
        words = dict.fromkeys(w for t in terms for w in (t.word, *t.parts))
        in_title = " | ".join(self._lexeme(w, ":*A" if len(w) == 1 else ":A") for w in words)
        # ts_rank takes the weights as {D, C, B, A}.
        weights = "{" + ",".join(str(w) for w in reversed(WEIGHTS)) + "}"
        return {
            TITLE_HIT: RawSQL(
                f"{self.table}.document @@ to_tsquery('simple', %s)",
                (in_title,),
                output_field=models.BooleanField(),
            ),
            # Normalisation 1: divided by 1 + log(length), as BM25 discounts long texts.
            RANK: RawSQL(
                f"ts_rank(%s::float4[], {self.table}.document, to_tsquery('simple', %s), 1)",
                (weights, self._query(terms)),
                output_field=models.FloatField(),
            ),
        }


_BACKENDS: dict[str, Callable[[SearchIndex], _Backend]] = {
    "sqlite": _Fts5,
    "postgresql": _Postgres,
}


class _KeyAtLeast(Expression):
    """``<index key> >= COALESCE((subquery), 0)``: a condition on the index table's own key,
    which FTS5 turns into a range of its b-tree (a condition on the model's key would not be)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, key: str, queryset: models.QuerySet[Any]) -> None:
        super().__init__()
        self.key = key
        self.subquery: Any = Subquery(queryset)

    def get_source_expressions(self) -> list[Any]:
        return [self.subquery]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.subquery,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.subquery)
        return f"{self.key} >= COALESCE({sql}, 0)", list(params)


def _within_budget(columns: list[list[str]]) -> list[list[str]]:
    """Keep tokens, title first, until MAX_DISTINCT_TOKENS different ones are kept."""
    seen: set[str] = set()
    kept: list[list[str]] = []
    for tokens in columns:
        column: list[str] = []
        for token in tokens:
            if token not in seen:
                if len(seen) >= MAX_DISTINCT_TOKENS:
                    continue
                seen.add(token)
            column.append(token)
        kept.append(column)
    return kept


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class SearchIndex:
    """A full-text index of one kind of object, stored in table ``search_<name>``.

    ``columns`` are the texts kept per object, the first one being the title: a hit there ranks
    a result above every result that has hits only in the other columns. One to four columns.
    The object's primary key must be an integer.
    """

    name: str
    columns: tuple[str, ...] = ("title", "body", "extra")

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _IDENTIFIER.fullmatch(self.name):
            raise ValueError(
                f"an index name is 1-40 of [a-z0-9_], starting with a letter: {self.name!r}"
            )
        columns = tuple(self.columns)
        if not 1 <= len(columns) <= len(WEIGHTS) or len(set(columns)) != len(columns):
            raise ValueError(f"an index has 1 to {len(WEIGHTS)} distinct columns: {columns!r}")
        for column in columns:
            if not _IDENTIFIER.fullmatch(column) or column in _RESERVED:
                raise ValueError(f"not a usable column name: {column!r}")
        object.__setattr__(self, "columns", columns)

    @property
    def table(self) -> str:
        return f"search_{self.name}"

    def _backend(self, connection: BaseDatabaseWrapper) -> _Backend:
        try:
            return _BACKENDS[connection.vendor](self)
        except KeyError:
            raise NotSupportedError(
                f"full-text search supports SQLite and PostgreSQL, not {connection.vendor}"
            ) from None

    # -- schema ---------------------------------------------------------------------------

    def create(self, connection: BaseDatabaseWrapper | None = None) -> None:
        """Create the index table (empty). Called from the owning app's migration."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            self._backend(connection).create(cursor)

    def drop(self, connection: BaseDatabaseWrapper | None = None) -> None:
        """Drop the index table if it exists (the reverse of ``create``)."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            self._backend(connection).drop(cursor)

    def operation(self) -> RunPython:
        """A migration operation that creates the table (and drops it when migrating back):
        ``operations = [..., DOCUMENTS_INDEX.operation()]``. Fill it afterwards with
        ``put_many`` (a data migration or a rebuild command)."""

        def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            self.create(schema_editor.connection)

        def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            self.drop(schema_editor.connection)

        return RunPython(forward, backward)

    # -- writing --------------------------------------------------------------------------

    def _row(self, pk: int, texts: Mapping[str, str | None]) -> list[Any]:
        unknown = set(texts) - set(self.columns)
        if unknown:
            raise ValueError(f"index {self.name!r} has no column {sorted(unknown)!r}")
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError(f"an indexed object's key must be an integer: {pk!r}")
        columns = [text.index_tokens(texts.get(c) or "") for c in self.columns]
        if sum(map(len, columns)) > MAX_DISTINCT_TOKENS:
            columns = _within_budget(columns)
        return [pk, *(" ".join(tokens) for tokens in columns)]

    def put(self, pk: int, *, using: str = DEFAULT_DB_ALIAS, **texts: str | None) -> None:
        """(Re)index object ``pk`` with the given column texts (a missing column is empty),
        replacing what was indexed for it before, in the current transaction."""
        self.put_many([(pk, texts)], using=using)

    def put_many(
        self,
        rows: Iterable[tuple[int, Mapping[str, str | None]]],
        *,
        using: str = DEFAULT_DB_ALIAS,
        batch_size: int = 500,
    ) -> int:
        """(Re)index many objects: ``(pk, {"title": …, "body": …})`` pairs. Returns how many.

        Each batch is written atomically (a savepoint inside the caller's transaction, or its
        own transaction outside one, so that a rebuild of a million objects does not hold one
        transaction open for all of them)."""
        connection = connections[using]
        sql = self._backend(connection).put_sql()
        count = 0
        for chunk in _chunks(rows, batch_size):
            values = [self._row(pk, texts) for pk, texts in chunk]
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.executemany(sql, values)
            count += len(values)
        return count

    def remove(self, pk: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
        """Take object ``pk`` out of the index (nothing happens if it is not there)."""
        connection = connections[using]
        with connection.cursor() as cursor:
            self._backend(connection).remove(cursor, [int(pk)])

    def clear(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        """Empty the index (before a rebuild)."""
        connection = connections[using]
        with connection.cursor() as cursor:
            self._backend(connection).clear(cursor)

    def optimize(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        """Compact the index after a bulk load (or now and then): faster queries after it."""
        connection = connections[using]
        with connection.cursor() as cursor:
            self._backend(connection).optimize(cursor)

    # -- reading --------------------------------------------------------------------------

    def terms(self, q: str) -> list[str]:
        """The words to mark in snippets (``text.snippet``) for the query ``q``."""
        return text.query_terms(q)

    def search(
        self, queryset: models.QuerySet[M], q: str, *, window: int | None = None
    ) -> models.QuerySet[M]:
        """``queryset`` narrowed to the objects matching every term of ``q``, best first.

        Annotated with ``search_title_hit`` (bool) and ``search_rank`` (float, higher is
        better); ordered by them and then by primary key, newest first. Add filters and slice
        afterwards; it stays one SQL statement. ``queryset.none()`` when ``q`` has no terms.

        ``window``: rank at most this many matches. When more objects of ``queryset`` match,
        only the ``window`` newest of them (highest keys) are ranked and returned; the others
        are left out. Ranking every match of a query made of very common words costs time in
        proportion to their number (a query matching 150,000 documents takes a few hundred
        milliseconds on SQLite); a window bounds it. With a window, put every filter that
        narrows the results (permission, type, year) into ``queryset`` itself: a filter added
        afterwards applies inside the window and may leave it short.
        """
        terms = text.parse_query(q)
        if not terms:
            return queryset.none()
        if window is not None and (isinstance(window, bool) or window < 1):
            raise ValueError(f"a search window is a positive number: {window!r}")
        backend = self._backend(connections[queryset.db])
        matched = self._matching(backend, queryset, terms)
        if window is not None:
            # The key of the window-th newest match: one subquery, run once, that walks the
            # matches newest first and stops there.
            newest = matched.order_by(RawSQL(backend.key(), ()).desc()).values("pk")
            matched = matched.filter(_KeyAtLeast(backend.key(), newest[window - 1 : window]))
        ranked = matched.annotate(**backend.annotations(terms))
        return ranked.order_by(f"-{TITLE_HIT}", f"-{RANK}", "-pk")

    def _matching(
        self, backend: _Backend, queryset: models.QuerySet[M], terms: list[Term]
    ) -> models.QuerySet[M]:
        condition, params = backend.match(terms)
        # The index table joins by name; the object's key is an expression Django qualifies
        # itself, so the join stays right when this queryset becomes a subquery (U0 …).
        return queryset.extra(  # noqa: S610 — checked, quoted identifiers; values as parameters
            tables=[self.table], where=[condition], params=params
        ).filter(pk=RawSQL(backend.key(), ()))
