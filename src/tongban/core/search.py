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
That statement ranks every match: a query of two very common words over a million documents
takes a few hundred milliseconds on SQLite.

``ranked(queryset, q)`` gives the same objects in the same order a page at a time, and fast:
because a title hit ranks above every other match, the title hits are ranked first and on their
own (a small share of the matches, even for common words), and the other matches only when a
page reaches past them.
On SQLite the title's tokens are indexed a second time, each with a private-use mark
(``title_keys``, weight 0 in BM25: a key never adds to a rank), so that FTS5 itself narrows the
matches to the title hits by walking the short title lists. Each of its two or three
statements carries the caller's filter.

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
from typing import Any, Generic, Protocol, TypeVar, overload

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import RunPython
from django.db.migrations.state import StateApps
from django.db.models.expressions import Expression, RawSQL, Subquery

from tongban.core import text
from tongban.core.text import Term

__all__ = ["MAX_DISTINCT_TOKENS", "RANK", "TITLE_HIT", "WEIGHTS", "RankedResults", "SearchIndex"]

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

#: ``RankedResults`` iterated whole reads this many objects per page.
_ITERATION_PAGE = 200

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,39}")
# FTS5 reserves these names for its own columns and query syntax.
_RESERVED = {"rowid", "rank", "and", "or", "not", "near", "object_id", "document", "title_keys"}

# SQLite: the column holding the title's tokens again, each behind TITLE_MARK (a private-use
# character: text.index_tokens never keeps one, so no token of a text can look like a key).
TITLE_KEYS = "title_keys"
TITLE_MARK = "\ue000"


class _Backend(Protocol):
    def create(self, cursor: Any) -> None: ...
    def drop(self, cursor: Any) -> None: ...
    def put_sql(self) -> str: ...
    def values(self, row: list[Any]) -> list[Any]: ...
    def remove(self, cursor: Any, pks: list[int]) -> None: ...
    def clear(self, cursor: Any) -> None: ...
    def optimize(self, cursor: Any) -> None: ...
    def key(self) -> str: ...
    def match(self, terms: list[Term], title: bool | None = None) -> tuple[str, list[Any]]: ...
    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]: ...


def _quote(name: str) -> str:
    return f'"{name}"'


class _Fts5:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.table = _quote(index.table)

    def create(self, cursor: Any) -> None:
        columns = ", ".join((*self.index.columns, TITLE_KEYS))
        # remove_diacritics 0: PostgreSQL's 'simple' keeps accents, so SQLite must too.
        cursor.execute(
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({columns}, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )

    def drop(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def put_sql(self) -> str:
        marks = ", ".join(["%s"] * (len(self.index.columns) + 2))
        columns = ", ".join((*self.index.columns, TITLE_KEYS))
        return f"INSERT OR REPLACE INTO {self.table} (rowid, {columns}) VALUES ({marks})"

    def values(self, row: list[Any]) -> list[Any]:
        # row = [pk, title tokens, …]: the title's tokens again, each behind the mark.
        return [*row, " ".join(TITLE_MARK + token for token in row[1].split())]

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

    def _title_keys(self, terms: list[Term]) -> str:
        """Any word of the query, or a part of one, among the title's keys."""
        phrases = [self._phrase(TITLE_MARK + t.word, t.prefix) for t in terms]
        phrases += [self._phrase(TITLE_MARK + p) for t in terms for p in t.parts]
        return " OR ".join(dict.fromkeys(phrases))

    def key(self) -> str:
        return f"{self.table}.rowid"

    def match(self, terms: list[Term], title: bool | None = None) -> tuple[str, list[Any]]:
        query = " AND ".join(self._term(t) for t in terms)
        if title is not None:
            # FTS5 intersects (or subtracts) the short title lists itself, skipping through
            # the long lists of common words instead of visiting every match.
            query = f"({query}) {'AND' if title else 'NOT'} ({self._title_keys(terms)})"
        return f"{self.table} MATCH %s", [query]

    def _weights(self, weights: Sequence[float]) -> str:
        # The keys weigh nothing: a hit among them never adds to a rank. (BM25's length of a
        # row counts them, as it counts every column: the same for every search.)
        return ", ".join(str(w) for w in (*weights[: len(self.index.columns)], 0.0))

    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]:
        title_only = self._weights((1.0,) + (0.0,) * (len(self.index.columns) - 1))
        return {
            # BM25 counting only the title is above zero exactly when a word of the query (or a
            # part of one) is in the title. Computed per matching row: cheaper than a second
            # MATCH on the title, whose rows would all be collected for a common word.
            TITLE_HIT: RawSQL(
                f"bm25({self.table}, {title_only}) < 0", (), output_field=models.BooleanField()
            ),
            # FTS5's bm25() is lower for better matches; negated so that higher is better.
            RANK: RawSQL(
                f"-bm25({self.table}, {self._weights(WEIGHTS)})",
                (),
                output_field=models.FloatField(),
            ),
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

    def values(self, row: list[Any]) -> list[Any]:
        return row

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

    def _in_title(self, terms: list[Term]) -> str:
        # Any word of the query or part of one, under the title's weight A (as on SQLite).
        words = dict.fromkeys(w for t in terms for w in (t.word, *t.parts))
        return " | ".join(self._lexeme(w, ":*A" if len(w) == 1 else ":A") for w in words)

    def match(self, terms: list[Term], title: bool | None = None) -> tuple[str, list[Any]]:
        matches = f"{self.table}.document @@ to_tsquery('simple', %s)"
        if title is None:
            return matches, [self._query(terms)]
        negation = "" if title else "NOT "
        return f"{matches} AND {negation}{matches}", [self._query(terms), self._in_title(terms)]

    def annotations(self, terms: list[Term]) -> dict[str, RawSQL]:
        # ts_rank takes the weights as {D, C, B, A}.
        weights = "{" + ",".join(str(w) for w in reversed(WEIGHTS)) + "}"
        return {
            TITLE_HIT: RawSQL(
                f"{self.table}.document @@ to_tsquery('simple', %s)",
                (self._in_title(terms),),
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

    def upgrade(self, connection: BaseDatabaseWrapper | None = None) -> None:
        """Bring an index table made by an earlier version to the current layout, keeping
        its entries; nothing happens when it has it already. On SQLite the layout gained
        ``title_keys``: the table is copied into a new one, the keys made from the indexed
        title. PostgreSQL's layout has not changed."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        self._backend(connection)  # refuses other databases
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA table_info({_quote(self.table)})")
            existing = [row[1] for row in cursor.fetchall()]
            if not existing or TITLE_KEYS in existing:
                return
            old = _quote(self.table + "_before_upgrade")
            cursor.execute(f"ALTER TABLE {_quote(self.table)} RENAME TO {old}")
            self._backend(connection).create(cursor)
            columns = ", ".join(self.columns)
            title = self.columns[0]
            # The title column holds its tokens joined by single spaces (see put_many).
            keys = (
                f"CASE WHEN {title} = '' THEN '' ELSE "
                f"char({ord(TITLE_MARK)}) || replace({title}, ' ', ' ' || char({ord(TITLE_MARK)}))"
                " END"
            )
            cursor.execute(
                f"INSERT INTO {_quote(self.table)} (rowid, {columns}, {TITLE_KEYS}) "
                f"SELECT rowid, {columns}, {keys} FROM {old}"
            )
            cursor.execute(f"DROP TABLE {old}")

    def upgrade_operation(self) -> RunPython:
        """A migration operation running ``upgrade`` (nothing to undo: the layout before
        it is found by the same searches)."""

        def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            self.upgrade(schema_editor.connection)

        return RunPython(forward, RunPython.noop)

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
        backend = self._backend(connection)
        sql = backend.put_sql()
        count = 0
        for chunk in _chunks(rows, batch_size):
            values = [backend.values(self._row(pk, texts)) for pk, texts in chunk]
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

    def ranked(
        self, queryset: models.QuerySet[M], q: str, *, count_limit: int | None = None
    ) -> RankedResults[M]:
        """The objects of ``search(queryset, q)``, in the same order, read a page at a time.

        Slice it (``results[20:40]`` is a list), ``count()`` it, or hand it to Django's
        ``Paginator``. Each page costs two or three statements, each with ``queryset``'s filter:
        the title hits ranked on their own; the other matches only when the page reaches past
        the title hits; then the page's objects from ``queryset`` (its ``select_related``
        and all), annotated with ``search_title_hit`` and ``search_rank`` as ``search`` does.
        Put every filter into ``queryset`` first. A query with nothing to look for gives an
        empty result without touching the database.

        ``count_limit``: ``count()`` stops counting there (and ``capped`` tells that there are
        more), since counting every match of two common words visits them all; the pages go
        on past it.
        """
        if count_limit is not None and (isinstance(count_limit, bool) or count_limit < 1):
            raise ValueError(f"a count limit is a positive number: {count_limit!r}")
        terms = text.parse_query(q)
        backend = self._backend(connections[queryset.db])
        return RankedResults(self, backend, queryset, terms, count_limit)

    def _matching(
        self,
        backend: _Backend,
        queryset: models.QuerySet[M],
        terms: list[Term],
        title: bool | None = None,
    ) -> models.QuerySet[M]:
        condition, params = backend.match(terms, title)
        # The index table joins by name; the object's key is an expression Django qualifies
        # itself, so the join stays right when this queryset becomes a subquery (U0 …).
        return queryset.extra(  # noqa: S610 — checked, quoted identifiers; values as parameters
            tables=[self.table], where=[condition], params=params
        ).filter(pk=RawSQL(backend.key(), ()))


class RankedResults(Generic[M]):
    """The result of ``SearchIndex.ranked``: a lazy, sliceable sequence of objects."""

    def __init__(
        self,
        index: SearchIndex,
        backend: _Backend,
        queryset: models.QuerySet[M],
        terms: list[Term],
        count_limit: int | None = None,
    ) -> None:
        self.index = index
        self.backend = backend
        self.queryset = queryset
        self.terms = terms
        self.count_limit = count_limit
        self._count: int | None = None
        self._capped = False

    def _ranks(self, title: bool) -> models.QuerySet[M]:
        rank = self.backend.annotations(self.terms)[RANK]
        matched = self.index._matching(self.backend, self.queryset, self.terms, title)
        return matched.annotate(**{RANK: rank}).order_by(f"-{RANK}", "-pk")

    def count(self) -> int:
        """How many objects of the queryset match, at most ``count_limit`` (one counting
        statement, remembered)."""
        if self._count is None:
            if not self.terms:
                self._count = 0
                return 0
            # Without the queryset's order: sorting would visit every match.
            matched = self.index._matching(self.backend, self.queryset, self.terms).order_by()
            if self.count_limit is None:
                self._count = matched.count()
            else:
                counted = matched[: self.count_limit + 1].count()
                self._capped = counted > self.count_limit
                self._count = min(counted, self.count_limit)
        return self._count

    @property
    def capped(self) -> bool:
        """More objects match than ``count()`` says (it stopped at ``count_limit``)."""
        self.count()
        return self._capped

    def __len__(self) -> int:
        return self.count()

    def exists(self) -> bool:
        return bool(self[:1])

    def __iter__(self) -> Iterator[M]:
        start = 0
        while page := self[start : start + _ITERATION_PAGE]:
            yield from page
            if len(page) < _ITERATION_PAGE:
                return
            start += _ITERATION_PAGE

    @overload
    def __getitem__(self, key: int) -> M: ...
    @overload
    def __getitem__(self, key: slice) -> list[M]: ...
    def __getitem__(self, key: int | slice) -> M | list[M]:
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError("search results are read in steps of one")
            start = 0 if key.start is None else int(key.start)
            stop = self.count() if key.stop is None else int(key.stop)
            if start < 0 or stop < 0:
                raise ValueError("negative indexing is not supported")
            return self._page(start, stop) if stop > start and self.terms else []
        if isinstance(key, bool) or not isinstance(key, int):
            raise TypeError(f"search results are indexed by integers or slices, not {key!r}")
        page = self[key : key + 1]
        if not page:
            raise IndexError("search result index out of range")
        return page[0]

    def _page(self, start: int, stop: int) -> list[M]:
        titled = list(self._ranks(title=True).values_list("pk", RANK)[:stop])
        hits = [(pk, rank, True) for pk, rank in titled[start:]]
        if len(titled) < stop:
            # Every title hit is in ``titled``: the rest of the page is ranked among the others.
            skip = max(0, start - len(titled))
            others = self._ranks(title=False).values_list("pk", RANK)
            hits += [(pk, rank, False) for pk, rank in others[skip : stop - len(titled)]]
        if not hits:
            return []
        objects = self.queryset.in_bulk([pk for pk, _, _ in hits])
        page = []
        for pk, rank, title_hit in hits:
            obj = objects.get(pk)
            if obj is not None:  # gone since the ranking statement: left out
                setattr(obj, RANK, rank)
                setattr(obj, TITLE_HIT, title_hit)
                page.append(obj)
        return page
