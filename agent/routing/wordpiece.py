"""BERT's uncased WordPiece tokenizer in plain Python, so the static embeddings need no `tokenizers` wheel.

It reproduces the Hugging Face pipeline of all-MiniLM-L6-v2: BertNormalizer (clean text, pad CJK, strip
accents, lowercase), BertPreTokenizer (split on whitespace and punctuation), then greedy longest-match
WordPiece with the `##` continuation prefix. Words it cannot spell become unknown and are dropped.
"""

import re
import unicodedata
from functools import lru_cache

MAX_WORD_CHARS = 100  # longer "words" are unknown in BERT's tokenizer too
# for ASCII text the rules reduce to: lowercase, drop control characters, split off every symbol
_ASCII_CONTROLS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")


class WordPieceTokenizer:
    """Turns text into ids of a fixed word-piece vocabulary (ids are row numbers of the embedding table)."""

    def __init__(self, vocabulary: list[str]):
        self.ids = {piece: index for index, piece in enumerate(vocabulary)}
        self._word_ids = lru_cache(maxsize=65536)(self._spell_word)

    def token_ids(self, text: str) -> list[int]:
        """Ids of the known word pieces of `text`, in order; unknown words are left out."""
        if text.isascii():
            words = _ASCII_WORDS.findall(text.translate(_ASCII_CONTROLS).lower())
        else:
            words = _split_words(_normalize(text))
        ids: list[int] = []
        for word in words:
            ids.extend(self._word_ids(word))
        return ids

    def _spell_word(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD_CHARS:
            return ()
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return ()  # one unspellable piece makes the whole word unknown, as in BERT
            start = end
        return tuple(pieces)


def _normalize(text: str) -> str:
    chars = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_cjk(code):
            chars.append(f" {char} ")
        else:
            chars.append(" " if char.isspace() else char)
    decomposed = unicodedata.normalize("NFD", "".join(chars).lower())
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def _split_words(text: str) -> list[str]:
    words: list[str] = []
    for chunk in text.split():
        current: list[str] = []
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current.clear()
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
    return words


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric ASCII symbol as punctuation, e.g. "$" and "^"
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )
