"""Lexical matching inside the database: PostgreSQL full-text search, or an SQLite FTS5 table.

Both rank published articles by the words of a query joined by OR, so a long message (a whole conversation)
still matches. The customer's text reaches the database only as bare words in a bound parameter (quoted for
FTS5), so nothing in it is read as query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from agent.models import KnowledgeArticle
from agent.text import STOPWORDS

_WORD = re.compile(r"[^\W_]+")
# Title words count twice as much as body words (the BM25 column weights of the FTS5 table).
FTS5_COLUMN_WEIGHTS = (2.0, 1.0)
FTS5_TABLE = "agent_knowledgearticle_fts"


@dataclass(frozen=True)
class LexicalMatch:
    """A published article that shares words with the query; a higher `score` is a better match."""

    article: KnowledgeArticle
    score: float


def query_words(text: str) -> list[str]:
    """The distinct words of `text` worth matching, lower-cased, in order: no stop words, no lone letters."""
    words = (word for word in _WORD.findall(text.lower()) if len(word) > 1 or word.isdigit())
    return list(dict.fromkeys(word for word in words if word not in STOPWORDS))


def lexical_matches(query: str, *, limit: int) -> list[LexicalMatch]:
    """Up to `limit` published articles sharing words with `query`, best first; [] if it has no words."""
    words = query_words(query)
    if not words:
        return []
    connection = _connection()
    if connection.vendor == "postgresql":
        return _postgres_matches(connection, words, limit)
    if connection.vendor == "sqlite":
        return _sqlite_matches(connection, words, limit)
    raise ImproperlyConfigured(f"The embedded search backend has no full-text search on {connection.vendor}.")


def rebuild_fulltext_index() -> None:
    """Re-fill the SQLite FTS5 table from the published articles; PostgreSQL keeps no separate index."""
    connection = _connection()
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if not _fts5_table_exists(cursor):
            _create_fts5_table(cursor)
            return
        cursor.execute(f"DELETE FROM {FTS5_TABLE}")
        cursor.execute(_FTS5_BACKFILL)


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_read(KnowledgeArticle)]


def _postgres_matches(connection: BaseDatabaseWrapper, words: list[str], limit: int) -> list[LexicalMatch]:
    # The stored, GIN-indexed `search_vector` column (migration 0011): title weighted A, body B.
    # websearch_to_tsquery never raises on its input; the words are letters and digits only, and "or" (its one
    # operator word that could remain) is a stop word, so the query means "any of these words".
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, ts_rank(a.search_vector, q) AS rank"
            " FROM agent_knowledgearticle a, websearch_to_tsquery('english', %s) q"
            " WHERE a.is_published AND a.search_vector @@ q ORDER BY rank DESC, a.id LIMIT %s",
            [" or ".join(words), limit],
        )
        ranked = cursor.fetchall()
    articles = KnowledgeArticle.objects.in_bulk([pk for pk, _ in ranked])
    return [LexicalMatch(articles[pk], float(rank)) for pk, rank in ranked if pk in articles and rank > 0]


def _sqlite_matches(connection: BaseDatabaseWrapper, words: list[str], limit: int) -> list[LexicalMatch]:
    # Each word becomes an FTS5 string (a quote inside is doubled), so AND, NEAR(, * or - are just words.
    match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    title_weight, body_weight = FTS5_COLUMN_WEIGHTS
    sql = (
        f"SELECT rowid, bm25({FTS5_TABLE}, %s, %s) AS rank FROM {FTS5_TABLE}"
        f" WHERE {FTS5_TABLE} MATCH %s ORDER BY rank LIMIT %s"
    )
    parameters: list[float | str | int] = [title_weight, body_weight, match, limit]
    with connection.cursor() as cursor:
        try:
            cursor.execute(sql, parameters)
        except OperationalError as error:
            # The table is made on first use; asking for it on every search cost more than the search.
            if "no such table" not in str(error):
                raise
            _ensure_fts5_table(connection)
            cursor.execute(sql, parameters)
        ranked = cursor.fetchall()
    articles = KnowledgeArticle.objects.filter(pk__in=[pk for pk, _ in ranked], is_published=True).in_bulk()
    # FTS5's bm25() is negative, more negative for a better match
    return [LexicalMatch(articles[pk], -rank) for pk, rank in ranked if pk in articles]


_ARTICLES = KnowledgeArticle._meta.db_table
_FTS5_BACKFILL = (
    f"INSERT INTO {FTS5_TABLE}(rowid, title, body) SELECT id, title, body FROM {_ARTICLES} WHERE is_published"
)
# Triggers keep the table in step with every write, including queryset.update() and other processes.
_FTS5_SCHEMA = [
    f"CREATE VIRTUAL TABLE {FTS5_TABLE} USING fts5(title, body, tokenize = 'porter unicode61')",
    f"""CREATE TRIGGER {FTS5_TABLE}_insert AFTER INSERT ON {_ARTICLES} WHEN new.is_published BEGIN
        INSERT INTO {FTS5_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    f"""CREATE TRIGGER {FTS5_TABLE}_update AFTER UPDATE ON {_ARTICLES} BEGIN
        DELETE FROM {FTS5_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS5_TABLE}(rowid, title, body)
            SELECT new.id, new.title, new.body WHERE new.is_published;
    END""",
    f"""CREATE TRIGGER {FTS5_TABLE}_delete AFTER DELETE ON {_ARTICLES} BEGIN
        DELETE FROM {FTS5_TABLE} WHERE rowid = old.id;
    END""",
    _FTS5_BACKFILL,
]


def _fts5_table_exists(cursor: CursorWrapper) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS5_TABLE])
    return cursor.fetchone() is not None


def _ensure_fts5_table(connection: BaseDatabaseWrapper) -> None:
    # Created on first use rather than in a migration, so databases migrated earlier get it too. The settings
    # open SQLite transactions IMMEDIATE, so two processes cannot both create it.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if not _fts5_table_exists(cursor):
            _create_fts5_table(cursor)


def _create_fts5_table(cursor: CursorWrapper) -> None:
    for statement in _FTS5_SCHEMA:
        cursor.execute(statement)
