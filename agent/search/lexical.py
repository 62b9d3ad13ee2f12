"""Lexical matching for the embedded backend: BM25 over the published articles' words, kept in memory.

One inverted index per process, built from the database's rows and rebuilt when the published articles change
(their count, newest id or latest edit; see `refreshed`). Each posting holds its finished BM25 contribution,
so a query adds one array per word of it into a score per article: a few milliseconds at 100,000 articles,
where SQLite FTS5's bm25() took 50-140 ms. The same ranking on SQLite and PostgreSQL.

Scoring is FTS5's: an article's frequency of a word is 2 × its count in the title + its count in the body,
its length is its number of indexed words, and

    bm25 = idf × f × (K1 + 1) / (f + K1 × (1 − B + B × length / average length))
    idf  = ln((N − n + 0.5) / (n + 0.5)), at least IDF_FLOOR

A query is a bag of words joined by OR: customer text is never read as query syntax, and a long message
(a whole conversation) still matches.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from django.db.models import Count, Max

from agent.models import KnowledgeArticle
from agent.text import STOPWORDS

from .refreshed import RefreshedIndex

K1, B = 1.2, 0.75
IDF_FLOOR = 1e-6
TITLE_WEIGHT = 2  # a title word counts as much as two body words (the FTS5 column weights it replaces)

_WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("porter")
_stemmer_lock = threading.Lock()


@dataclass(frozen=True)
class LexicalMatch:
    """A published article that shares words with the query; a higher `score` is a better match."""

    article: KnowledgeArticle
    score: float


def query_words(text: str) -> list[str]:
    """The distinct words of `text` worth matching, lower-cased, in order: no stop words, no lone letters."""
    words = (word for word in _WORD.findall(_fold(text)) if len(word) > 1 or word.isdigit())
    return list(dict.fromkeys(word for word in words if word not in STOPWORDS))


def terms(text: str) -> list[str]:
    """The indexed form of every word of `text` worth matching, repeats kept: porter stems."""
    words = (word for word in _WORD.findall(_fold(text)) if len(word) > 1 or word.isdigit())
    return [_stem(word) for word in words if word not in STOPWORDS]


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    with _stemmer_lock:  # the stemmer keeps state between calls
        stem: str = _stemmer.stemWord(word)
    return stem


def _fold(text: str) -> str:
    """Lower case without diacritics (café → cafe), as customers often type them."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class _Index:
    articles: np.ndarray  # article pk of each document, ascending
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # term → (documents, their BM25 contributions)


class LexicalIndex(RefreshedIndex[_Index]):
    """BM25 over every published article's title and body, in memory."""

    def matches(self, query: str, *, limit: int, include: Iterable[int] = ()) -> list[LexicalMatch]:
        """Up to `limit` published articles sharing words with `query`, best first, then the articles of
        `include` that are not among them (scored too, 0 if they share no word); [] if `query` has no words
        and `include` is empty."""
        stems = list(dict.fromkeys(_stem(word) for word in query_words(query)))
        index = self.current()
        scores = np.zeros(len(index.articles), dtype=np.float32)
        for stem in stems:
            posting = index.postings.get(stem)
            if posting is not None:
                documents, contributions = posting
                scores[documents] += contributions  # a word occurs once per document's posting
        matched = np.flatnonzero(scores) if limit > 0 else np.zeros(0, dtype=np.int64)
        if len(matched) > limit:
            matched = matched[np.argpartition(-scores[matched], limit - 1)[:limit]]
        ranked = [(float(scores[row]), int(index.articles[row])) for row in matched.tolist()]
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: older article first
        chosen = {pk for _, pk in ranked}
        for pk in dict.fromkeys(include):
            if pk not in chosen:
                row = int(np.searchsorted(index.articles, pk))
                known = row < len(index.articles) and index.articles[row] == pk
                ranked.append((float(scores[row]) if known else 0.0, pk))
        articles = KnowledgeArticle.objects.filter(
            pk__in=[pk for _, pk in ranked], is_published=True
        ).in_bulk()
        return [LexicalMatch(articles[pk], score) for score, pk in ranked if pk in articles]

    def signature(self) -> tuple[object, ...]:
        published = KnowledgeArticle.objects.filter(is_published=True)
        return tuple(published.aggregate(n=Count("id"), newest=Max("id"), edited=Max("updated_at")).values())

    def build(self, previous: _Index | None) -> _Index:
        published = KnowledgeArticle.objects.filter(is_published=True).order_by("pk")
        return _build(published.values_list("pk", "title", "body").iterator(chunk_size=2000))


def _build(rows: Iterable[tuple[int, str, str]]) -> _Index:
    pks: list[int] = []
    lengths: list[int] = []
    found: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)  # term → (document, frequency)
    for document, (pk, title, body) in enumerate(rows):
        title_terms, body_terms = terms(title), terms(body)
        counts = Counter(body_terms)
        for term in title_terms:
            counts[term] += TITLE_WEIGHT
        for term, count in counts.items():
            found[term].append((document, count))
        pks.append(pk)
        lengths.append(len(title_terms) + len(body_terms))
    total = len(pks)
    length = np.array(lengths, dtype=np.float32)
    norm = K1 * (1 - B + B * length / (float(length.mean()) if total else 1.0))
    postings = {}
    for term, pairs in found.items():
        documents = np.fromiter((document for document, _ in pairs), dtype=np.int32, count=len(pairs))
        frequency = np.fromiter((count for _, count in pairs), dtype=np.float32, count=len(pairs))
        idf = max(math.log((total - len(pairs) + 0.5) / (len(pairs) + 0.5)), IDF_FLOOR)
        postings[term] = (
            documents,
            (idf * frequency * (K1 + 1) / (frequency + norm[documents])).astype(np.float32),
        )
    return _Index(np.array(pks, dtype=np.int64), postings)
