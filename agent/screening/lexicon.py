"""The words attacks are made of, in 44 languages besides English: attack_lexicon.json.

Per language, the forms (inflections, with and without accents, formal and informal) of a few concepts:
`ignore` (ignore, disregard, forget, override as a command), `instructions` (instructions, rules, guidelines,
settings, prompt), `system_prompt`, `reveal` (show, print, repeat, tell me), `other_customers`,
`no_restrictions`, `from_now_on` ("from now on", "you are now", a new role) and `developer_mode`. A trailing
`*` lets the word go on (stems of inflected languages; Korean particles). English is read by the hand-written
signals in `injection` and is not taken from here.

Words are matched whole, a phrase word by word; in Chinese, Japanese and Thai, written without spaces, as
substrings. `Lexicon.concepts` says where in a text each concept's forms are; `injection` turns that into
signals ("ignore" a few words before "instructions", in any of these languages, is an override).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LEXICON = Path(__file__).with_name("attack_lexicon.json")
UNSPACED = frozenset({"zh", "ja", "th"})
# Letters and the marks that belong to them (Devanagari, Bengali and Tamil vowel signs are not \w).
_TOKEN = re.compile(r"[\w\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0bff]+")
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
MAX_WORDS = 6


@dataclass
class Lexicon:
    """Every concept's forms in one index: a text's words are looked up once for all concepts."""

    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # words → concepts
    stems: dict[tuple[tuple[str, ...], str], list[tuple[str, str]]] = field(default_factory=dict)
    starters: set[str] = field(default_factory=set)  # first words of phrases of two words or more
    substrings: dict[str, set[str]] = field(default_factory=dict)  # unspaced forms → concepts

    @classmethod
    def load(cls, normalise: Callable[[str], str], path: Path = LEXICON) -> Lexicon:
        """The lexicon with every form normalised as the texts it is matched against are."""
        lexicon = cls()
        for language, entries in json.loads(path.read_text(encoding="utf-8")).items():
            if language == "en":
                continue
            for concept, forms in entries.items():
                for form in forms:
                    lexicon._add(concept, normalise(form).strip(), language in UNSPACED)
        return lexicon

    def _add(self, concept: str, form: str, unspaced: bool) -> None:
        if len(form.rstrip("*")) < (2 if unspaced else 3):
            return
        if unspaced:
            self.substrings.setdefault(form.rstrip("*"), set()).add(concept)
            return
        words = tuple(_TOKEN.findall(form.rstrip("*")))
        if not words or len(words) > MAX_WORDS:
            return
        if len(words) > 1:
            self.starters.add(words[0])
        if form.endswith("*"):
            *before, stem = words
            self.stems.setdefault((tuple(before), stem[:2]), []).append((stem, concept))
        else:
            self.phrases.setdefault(words, set()).add(concept)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one lexicon per process, views read by several signals
    def concepts(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Where each concept's forms are in `text` (already normalised): start and end of each."""
        found: dict[str, list[tuple[int, int]]] = {}
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        words = [word for _, _, word in tokens]
        for i, first in enumerate(words):
            longest = MAX_WORDS if first in self.starters else 1
            for n in range(1, min(longest, len(words) - i) + 1):
                run = tuple(words[i : i + n])
                named = set(self.phrases.get(run, ()))
                last = run[-1]
                stems = self.stems.get((run[:-1], last[:2]), ())
                named.update(concept for stem, concept in stems if last.startswith(stem))
                for concept in named:
                    found.setdefault(concept, []).append((tokens[i][0], tokens[i + n - 1][1]))
        if _UNSPACED_SCRIPT.search(text):
            for substring, named in self.substrings.items():
                start = text.find(substring)
                while start >= 0:
                    for concept in named:
                        found.setdefault(concept, []).append((start, start + len(substring)))
                    start = text.find(substring, start + 1)
        return found

    def __hash__(self) -> int:
        return id(self)


def near(first: list[tuple[int, int]], second: list[tuple[int, int]], after: int, before: int) -> bool:
    """Whether a span of `second` starts within `after` characters after one of `first` ends, or ends within
    `before` characters before one of `first` starts ("ignore … instructions", "instructions … ignore")."""
    return any(0 <= s2 - e1 <= after or 0 <= s1 - e2 <= before for s1, e1 in first for s2, e2 in second)
