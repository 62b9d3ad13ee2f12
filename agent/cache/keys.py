"""How the response cache keys a customer's question: its normalised text, its exact key, its markers."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Removed rather than spaced out, so "don't" and "dont" are the same question.
_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
# Kept although punctuation: it changes the meaning of the number beside it, like a currency sign does.
_KEPT_PUNCTUATION = frozenset("%")
# A change of these flips an answer but barely moves a static embedding ("has arrived" / "has not arrived":
# cosine 0.97), so a semantic hit needs the same ones.
NEGATIONS = frozenset(
    [
        "no",
        "not",
        "nor",
        "never",
        "none",
        "nothing",
        "nobody",
        "neither",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "mustnt",
        "neednt",
        "aint",
        "without",
    ]
)


def normalise_question(question: str) -> str:
    """Lower-case, punctuation stripped (digits, `%` and currency signs kept), whitespace collapsed."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", question).casefold())
    kept = (
        " " if unicodedata.category(char).startswith("P") and char not in _KEPT_PUNCTUATION else char
        for char in text
    )
    return " ".join("".join(kept).split())


def exact_key(*, normalised: str, intent: str) -> str:
    """The key of an exact hit: a digest of the routed intent and the normalised question."""
    return hashlib.sha256(f"{intent}\n{normalised}".encode()).hexdigest()


def meaning_markers(normalised: str) -> tuple[str, ...]:
    """The numbers and negations of a normalised question, which a semantic hit must share exactly."""
    words = normalised.split()
    return tuple(sorted(w for w in words if w in NEGATIONS or any(char.isdigit() for char in w)))
