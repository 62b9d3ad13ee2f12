"""Prompt injection and jailbreak attempts in customers' messages and knowledge-base articles.

Customer text and article text are data, never instructions. This detector looks for text written *to the
model* rather than to a bank: instruction overrides, role-play set-ups, requests for the system prompt, tool
calls and arguments spelled out, markers of a fake system turn, instructions hidden in an article, and the
same in other languages or disguised — encoded (base64, base32, hex, URL-encoding, rot13), reversed, spaced
out, written in look-alike letters or leetspeak, or broken by invisible characters. Every disguise is undone
into a "view" of the text, and every view is read.

Two readers: hand-written signals (weighted patterns; `signals`), and a logistic regression over the views'
words and character n-grams, their static embedding and those signals, trained on agent/data/injection
(attacks and look-alikes) with BANKING77 and CLINC150 questions as more benign text; help-centre text is
read by a second regression too, trained on articles and passages alone, whose logit is averaged in. The
model's probability is the score; THRESHOLD flags. It is trained once into SCREENING_MODEL_DIR (under two
minutes) and loaded by every process after.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import html
import math
import re
import unicodedata
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .lexicon import Lexicon, near

# Where the six earlier held-out sets (measured*.jsonl), each left out of training in turn, meet both targets
# (≥ 95% of attacks detected, ≤ 2% of look-alikes flagged) with the most room: 95.5% and 1.8%
# (benchmarks/injection_loco.py prints it again for any change).
THRESHOLD = 0.56
MODEL_VERSION = 7
# Training examples from agent/data/injection count this much more than the ordinary questions beside them.
CORPUS_WEIGHT = 3.0
EXTRA_BENIGN = {"banking77": 3000, "clinc150": 2000}
KB_PASSAGE_WEIGHT = 1.0  # ordinary help-centre passages count as much as the ordinary questions


@dataclass(frozen=True)
class Verdict:
    injection: bool
    score: float
    signals: tuple[str, ...]  # the hand-written signals that matched, for traces and reviewers


def detect(text: str, *, article: bool = False) -> Verdict:
    """Whether `text` tries to instruct the model, with the score and the signals behind it. `article`: the
    text is help-centre content (an article, or a passage of one as search returns it), not a message."""
    from .model import get_model

    return get_model().verdict(text, article=article)


def detect_many(texts: list[str], *, article: bool = False) -> list[Verdict]:
    """`detect` of each text, in one pass of the model."""
    from .model import get_model

    return get_model().verdicts(texts, article=article)


def signals(text: str, views: list[tuple[str, bool]] | None = None) -> dict[str, float]:
    """The hand-written signals found in any view of `text` (`views`, if its views are at hand already), each
    with its weight (more when disguised)."""
    weights: dict[str, float] = {}
    for view, disguised in views if views is not None else _views(text):
        for name, weight, pattern in _SIGNALS:
            if pattern.search(view):
                # a signal found only under a disguise counts more: customers do not encode their questions
                weight = weight + DISGUISE_BONUS if disguised else weight
                weights[name] = max(weights.get(name, 0.0), weight)
    return weights


def signal_score(weights: dict[str, float]) -> float:
    """1 − e^(−Σ weights): one strong signal scores high alone, weak ones only together."""
    return 1 - math.exp(-sum(weights.values()))


DISGUISE_BONUS = 0.3

# --- views: the text with each disguise undone --------------------------------------------------------------

_CONFUSABLES = str.maketrans(
    {
        # Cyrillic and Greek letters that look Latin
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ս": "u", "ν": "v", "ο": "o", "α": "a", "ε": "e", "ι": "i",
        "κ": "k", "τ": "t", "ρ": "p", "Α": "a", "Β": "b", "Ε": "e", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
        "Ο": "o", "Ρ": "p", "Τ": "t", "Χ": "x", "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h",
        "О": "o", "Р": "p", "С": "c", "Т": "t", "Х": "x",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-zA-Z]")
_SPACED = re.compile(r"\b(?:\w[\s.\-_*]{1,3}){3,}\w\b")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_BASE32 = re.compile(r"[A-Z2-7]{16,}={0,6}")
_HEX = re.compile(r"(?:0x)?((?:[0-9a-fA-F]{2}[\s:]?){8,})")
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_BINARY = re.compile(r"(?<![01])(?:[01]{8}\s?){4,}")
_MORSE = re.compile(r"(?:[.\-·•]{1,6}(?:\s+|\s*[/|]\s*)){4,}[.\-·•]{1,6}")
_MORSE_CODES = (
    ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- -..- -.--"
    " --.. ----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----."
)
_MORSE_LETTERS = dict(zip(_MORSE_CODES.split(" "), "abcdefghijklmnopqrstuvwxyz0123456789", strict=True))
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_FLAG_LETTERS = {0x1F1E6 + offset: letter for offset, letter in enumerate(_ALPHABET)}  # 🇦 … 🇿
_SHIFTS = [
    str.maketrans(_ALPHABET, _ALPHABET[shift:] + _ALPHABET[:shift]) for shift in range(1, 26) if shift != 13
] + [str.maketrans(_ALPHABET, _ALPHABET[::-1])]  # rot13 is a view of its own; Atbash
# Words any English instruction is made of: a shift of the letters that yields several reads as English.
_INSTRUCTION_WORDS = (
    "the and you your all to of is are me my now from this that with for not no any ignore previous"
    " instructions rules system prompt reveal tell show print give output"
)
_COMMON_WORDS = frozenset(_INSTRUCTION_WORDS.split(" "))
_SPLIT_BY_SYMBOLS = re.compile(r"(?<!\w)(?:\w[^\w\s]{1,3}){3,}\w(?!\w)")


def _views(text: str) -> list[tuple[str, bool]]:
    plain = _normalise(text)
    views = [(plain, False)]
    undone = [
        plain.translate(_LEET),
        _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group()), plain),
        plain[::-1],
        codecs.decode(plain, "rot13"),
        urllib.parse.unquote_plus(text).lower() if "%" in text else plain,
        # words written wholly in look-alike letters ("сору" in Cyrillic), beside Latin ones
        _normalise(text, every_word=True) if _LATIN.search(text) else plain,
    ]
    runs = _encoded_runs(text)
    decoded = _decoded_payloads(runs)
    decoded += [again for inner in _inner_payloads(runs) for again in _decoded_payloads(_encoded_runs(inner))]
    undone += [_normalise(payload) for payload in decoded]
    undone += _unescaped(text) + _rewritten(plain)
    # Accents stripped are a spelling ("precedentes"), not a disguise, unless marks are stacked on letters
    # (zalgo text): the signals found only there count as in plain text.
    stripped = "".join(c for c in unicodedata.normalize("NFKD", plain) if unicodedata.category(c) != "Mn")
    views += [(view, True) for view in dict.fromkeys(undone) if view and view not in (plain, stripped)]
    if stripped != plain:
        views.append((stripped, _zalgo(plain)))
    return views


def _zalgo(text: str) -> bool:
    """Combining marks stacked on letters, not the accents of ordinary spelling (composed by NFKC)."""
    marks = sum(1 for c in text if unicodedata.category(c) == "Mn")
    return marks > 0.3 * max(1, sum(c.isalpha() for c in text))


def _unescaped(text: str) -> list[str]:
    """HTML entities (&#105;&#103;), backslash escapes (\\x69, \\u0069), eight-bit binary and Morse code."""
    views = []
    if "&" in text:
        views.append(html.unescape(text))
    if "\\" in text:
        views.append(_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text))
    views += [
        "".join(chr(int(bits, 2)) for bits in match.group().split()) for match in _BINARY.finditer(text)
    ]
    views += [_morse(match.group()) for match in _MORSE.finditer(text)]
    return [_normalise(view) for view in views if view != text]


def _rewritten(plain: str) -> list[str]:
    """Letters shifted (any Caesar shift, Atbash) when the shift reads as English, flag letters (🇮🇬) made
    letters, letters split by symbols (i|g|n|o|r|e) joined."""
    views = []
    best, best_hits = "", _english_hits(plain)
    for table in _SHIFTS:
        shifted = plain.translate(table)
        hits = _english_hits(shifted)
        if hits > best_hits:
            best, best_hits = shifted, hits
    if best_hits >= 3:
        views.append(best)
    views.append(plain.translate(_FLAG_LETTERS))
    views.append(_SPLIT_BY_SYMBOLS.sub(lambda m: re.sub(r"[^\w\s]", "", m.group()), plain))
    return views


def _english_hits(text: str) -> int:
    return len(_COMMON_WORDS.intersection(text.split()))


def _morse(code: str) -> str:
    words = re.split(r"\s*[/|]\s*|\s{3,}", code.strip())
    return " ".join("".join(_MORSE_LETTERS.get(letter, "") for letter in word.split()) for word in words)


def _normalise(text: str, every_word: bool = False) -> str:
    """Compatibility forms folded (full-width letters, ligatures), invisible characters dropped, look-alike
    letters made Latin (in words with Latin letters, or `every_word`), lower case."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    if every_word:
        return visible.translate(_CONFUSABLES).lower()
    return _WORD.sub(_latin_word, visible).lower()


def _latin_word(word: re.Match[str]) -> str:
    """A word with Latin letters in it has its look-alike letters made Latin ("іgnоrе" → "ignore"); a word
    written in Cyrillic or Greek alone stays as it is, or "игнорируй" would become "игнopиpyй", read in no
    language."""
    text = word.group()
    return text.translate(_CONFUSABLES) if _LATIN.search(text) else text


def _encoded_runs(text: str) -> list[tuple[str, bytes]]:
    """What each base64, base32 and hex run in the text decodes to, with the run's kind."""
    runs = [("base64", _b64(match.group())) for match in _BASE64.finditer(text)]
    runs += [("base32", _b32(match.group())) for match in _BASE32.finditer(text)]
    for match in _HEX.finditer(text):
        digits = re.sub(r"[\s:]", "", match.group(1))
        if len(digits) % 2 == 0:
            runs.append(("hex", binascii.unhexlify(digits)))
    return runs


def _decoded_payloads(runs: list[tuple[str, bytes]]) -> list[str]:
    """The runs that decode to text."""
    return [decoded for _, data in runs if (decoded := _printable(data))]


def _inner_payloads(runs: list[tuple[str, bytes]]) -> list[str]:
    """What base64 and hex runs decode to when that is itself an encoded run: a payload encoded twice."""
    inner = [data.decode("ascii", "ignore").strip() for kind, data in runs if kind != "base32"]
    return [payload for payload in inner if _BASE64.fullmatch(payload) or _HEX.fullmatch(payload)]


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=False)
    except (binascii.Error, ValueError):
        return b""


def _b32(value: str) -> bytes:
    try:
        return base64.b32decode(value + "=" * (-len(value) % 8))
    except (binascii.Error, ValueError):
        return b""


def _printable(data: bytes) -> str:
    """The bytes as text when they read as text (mostly letters and spaces), else ''."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    letters = sum(c.isalpha() or c.isspace() for c in text)
    return text if len(text) >= 8 and letters >= 0.8 * len(text) and " " in text else ""


# --- signals ------------------------------------------------------------------------------------------------

_RULES = (
    r"(?:instructions?|rules?|guidelines?|prompts?|directives?|polic(?:y|ies)|restrictions?|programming|"
    r"guardrails?|constraints?|safety|filters?|training|system message|orders)"
)
_PRIOR = (
    r"(?:all|any|every|the|your|my|of|previous|prior|above|earlier|preceding|original|initial|existing|old|"
    r"current|default|internal|safety|system|those|these|\s)*"
)
_SECRET = (
    r"(?:system prompt|system message|initial (?:instructions|prompt)|hidden (?:instructions|prompt|rules)|"
    r"(?:your|the) (?:instructions|prompt|rules|configuration|config)|developer (?:message|instructions)|"
    r"(?:text|words|message|everything|instructions) (?:above|before (?:this|my)|you were given)|"
    r"what you were told|pre-?prompt|meta-?prompt)"
)


class _Searcher(Protocol):
    def search(self, view: str, /) -> object: ...


def _signal(name: str, weight: float, pattern: str) -> tuple[str, float, _Searcher]:
    return name, weight, re.compile(pattern, re.IGNORECASE | re.DOTALL)


_SIGNALS: list[tuple[str, float, _Searcher]] = [
    # instruction overrides
    _signal(
        "override",
        1.2,
        rf"\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\b"
        rf"{_PRIOR}\b{_RULES}",
    ),
    _signal(
        "override",
        1.0,
        r"\b(?:new|updated|revised|real|actual|secret) (?:rules?|instructions?|orders|directives?)"
        r"\b.{0,40}(?::|from|are|is)",
    ),
    _signal(
        "override", 1.0, r"\bfrom now on\b.{0,40}\byou\b|\byou (?:are|will be) now\b|\byou are no longer\b"
    ),
    _signal(
        "override",
        0.8,
        r"\b(?:no|without|free of|beyond) (?:any )?(?:restrictions?|limits?|limitations|filters?|"
        r"rules|policies|guidelines|censorship|guardrails)\b",
    ),
    _signal(
        "override",
        0.9,
        r"\b(?:developer|debug|god|admin|maintenance|unrestricted|jailbreak|jailbroken) ?mode\b",
    ),
    _signal("override", 0.9, r"\b(?:do not|don't|never) (?:follow|obey|apply) (?:your|the|any)\b"),
    # fake turns and control markers
    _signal(
        "fake_turn",
        1.5,
        r"<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>|\[/?inst\]|<</?sys>>"
        r"|^\s*#{2,}\s*(?:system|admin|instructions?|developer)\b|^\s*\[?(?:system|admin|developer)\]?\s*:"
        r"|\[(?:system|admin|assistant)(?: note| message| override)?\]|</?(?:system|instructions?)>",
    ),
    _signal(
        "fake_turn",
        1.2,
        r"\b(?:end of (?:conversation|chat|session|user (?:input|message))|conversation ended)\b"
        r".{0,80}\b(?:new|now|next|assistant|system|instructions?)\b",
    ),
    _signal("fake_turn", 0.9, r"^\s*(?:assistant|ai|bot|model)\s*:"),
    # role play
    _signal(
        "role_play",
        1.2,
        r"\b(?:dan|do anything now|stan|dude|aim|bankgpt|evil ?bot|unfiltered)\b.{0,120}"
        r"\b(?:no|without|any|broken free|anything|restrictions?|rules)\b",
    ),
    _signal(
        "role_play",
        0.9,
        r"\b(?:pretend|imagine|act as if|roleplay|role-play|role play|let'?s play|play a game)\b",
    ),
    _signal(
        "role_play",
        0.7,
        r"\b(?:you are|you're|act as|behave as|become)\b (?:now )?(?:an?|the|my) "
        r"(?:\w+ ){0,3}(?:admin(?:istrator)?|developer|hacker|employee|manager|insider|ai|bot|model|"
        r"assistant|version|character|persona)\b",
    ),
    _signal(
        "role_play",
        0.8,
        r"\b(?:grandm(?:a|other)|nana|granny)\b.{0,160}\b(?:card numbers?|pins?|passwords?|"
        r"account numbers?|keys?|codes|tickets|customers?)\b",
    ),
    _signal(
        "role_play",
        0.7,
        r"\b(?:hypothetical(?:ly)?|fiction(?:al)?|in a story|a novel|screenplay|for a movie|"
        r"in character|stay in character)\b",
    ),
    # system prompt extraction
    _signal(
        "extraction",
        1.2,
        rf"\b(?:repeat|print|show|reveal|output|display|dump|leak|give me|tell me|share|"
        rf"list|spell out|write out|copy|paste|recite|translate|summari[sz]e|paraphrase|encode|"
        rf"what (?:are|were|is))"
        rf"\b.{{0,40}}\b{_SECRET}",
    ),
    _signal(
        "extraction",
        1.0,
        r"\bverbatim\b|\bword for word\b|\bstarting with ['\"]?you are\b|\bwhat were you told\b",
    ),
    _signal("extraction", 0.5, r"\bsystem prompt\b|\binitial instructions\b|\bhidden instructions\b"),
    # tool calls and arguments spelled out
    _signal(
        "tool_smuggling",
        1.2,
        r"\b(?:search_knowledge_base|create_ticket|escalate_to_human|get_recent_tickets|"
        r"function_call|tool_call|tool_choice)\b",
    ),
    # a customer id in a tool call's syntax; in prose ("Customer ID 36615042") it is mostly the customer's own
    _signal("tool_smuggling", 1.0, r"\bcustomer[_ ]?id\b\s*[:=\"']|[\"']customer_id[\"']"),
    _signal(
        "tool_smuggling",
        0.9,
        r"\b(?:tickets?|transactions?|details|data|records|emails?|balances?|history)\b "
        r"(?:for|of|from|belonging to) "
        r"(?:customer|user|client|account holder|account|another|other|all|every|"
        r"someone)\b(?! (?:support|service))",
    ),
    _signal(
        "tool_smuggling",
        0.9,
        r"\ball (?:customers?|users?|clients?)'?s?\b.{0,30}\b(?:emails?|data|records|tickets|"
        r"details|numbers?|addresses)\b",
    ),
    _signal(
        "tool_smuggling",
        1.2,
        r"\b(?:drop|delete|truncate) table\b|;\s*--|'\s*or\s*'?1'?\s*=\s*'?1|\bunion select\b",
    ),
    _signal(
        "tool_smuggling",
        0.8,
        r"\b(?:priority|assignee|assign(?:ed)?_to|reason|role|is_admin|override)\s*=\s*\S",
    ),
    _signal(
        "tool_smuggling",
        0.8,
        r"\b(?:my|her|his) (?:husband|wife|partner|brother|sister|son|daughter|neighbou?r|"
        r"boss|friend|ex)'?s? (?:account|tickets|transactions|card|balance)\b.{0,60}"
        r"\b(?:show|list|give|tell|read|get|send)\b"
        r"|\b(?:show|list|give|tell|read|get|send)\b.{0,40}\b(?:my|her|his) (?:husband|wife|partner|"
        r"brother|sister|son|daughter|neighbou?r|boss|friend|ex)'?s? (?:account|tickets|transactions|card|"
        r"balance)",
    ),
    # instructions hidden in an article, and exfiltration
    _signal(
        "hidden_instruction",
        1.3,
        r"\b(?:note|message|instructions?) (?:to|for) (?:the )?(?:ai|assistant|"
        r"chatbot|bot|llm|language model|model|agent)s?\b",
    ),
    _signal(
        "hidden_instruction",
        1.2,
        r"\b(?:ai|assistant|chatbot|bot|llm|model|agent)s?\b[^.]{0,40}\b(?:reading|"
        r"processing|that reads?|who reads?)\b.{0,40}\b(?:must|should|shall|will|ignore|tell|say)\b",
    ),
    _signal(
        "hidden_instruction",
        1.0,
        r"\bwhen you (?:read|see|process) this\b|\bif you are an? (?:ai|assistant|"
        r"language model|llm|bot)\b",
    ),
    _signal(
        "hidden_instruction",
        1.0,
        r"<!--(?:(?!-->).){0,300}\b(?:assistant|ai|system|model|bot|instructions?|"
        r"ignore|reveal|tell the customer|say)\b",
    ),
    _signal("exfiltration", 1.3, r"!\[[^\]]*\]\(https?://[^)]*(?:\{|%7b|\?[a-z_]+=)"),
    _signal(
        "exfiltration",
        1.0,
        r"\b(?:send|post|forward|upload|include|append)\b.{0,60}\b(?:conversation|chat|"
        r"transcript|history|prompt|data|details)\b.{0,40}\b(?:to|at)\b.{0,10}https?://",
    ),
    _signal(
        "credential_phishing",
        0.8,
        r"\b(?:tell|ask|instruct) (?:the )?(?:customer|user|them)\b.{0,60}\b(?:send|"
        r"share|give|provide|reply with|email)\b.{0,30}\b(?:pin|password|card number|cvv|code|full card)",
    ),
    _signal(
        "approval",
        0.8,
        r"\b(?:approve|authori[sz]e|issue|grant|process)\b.{0,30}\b(?:a |the |every |all )?"
        r"(?:refunds?|credit|waivers?|exceptions?)\b.{0,40}\b(?:without|no|immediately|automatically|regardless)\b",
    ),
    # the same in other languages
    _signal(
        "translated",
        1.2,
        r"\bignor(?:e[rz]?|ez|a|ar|e|are|era|iere|ieren|uj)\b.{0,30}\b(?:instructions?|"
        r"instrucciones|istruzioni|instruções|anweisungen|instructies|instrukcje|instruktioner|règles|reglas|"
        r"regole|regras|regeln|regels|zasady|consignes|indicaciones)\b",
    ),
    _signal(
        "translated",
        1.2,
        r"\b(?:oublie[zs]?|olvida|dimentica|esqueça|esquece|vergiss|vergeet|zapomnij|glöm)\b"
        r".{0,30}\b(?:instructions?|instrucciones|istruzioni|instruções|anweisungen|instructies|instrukcje|"
        r"instruktioner|règles|reglas|regole|regras|regeln|regels|zasady)\b",
    ),
    _signal(
        "translated",
        1.2,
        # "ignore" alone is how customers take back a message ("negeer mijn vorige bericht"): all, or rules
        r"\b(?:negeer|zignoruj|ignorera|ignoriere)\b.{0,40}\b(?:alle|alla|allt|wszystkie|wszystko|instructies|"
        r"instrukcje|instruktioner|anweisungen|regels|zasady|regler|regeln|richtlijnen|riktlinjer)\b"
        r"|\bignoriert?\b.{0,20}\b(?:alle|vorherigen)\b",
    ),
    _signal(
        "translated",
        1.1,
        r"\b(?:prompt|invite|message) (?:système|systeme|del sistema|do sistema|di sistema)\b|"
        r"\bsystem-?prompt\b|\bsystemaufforderung\b|\bsysteeminstructies\b|\bsystemprompten\b|"
        r"\bprompt systemowy\b|\bsysteemprompt\b",
    ),
    _signal(
        "translated",
        1.0,
        r"\bsans (?:aucune )?restrictions?\b|\bsin (?:ninguna )?restricci(?:o|ó)n(?:es)?\b|"
        r"\bsenza (?:alcuna )?restrizion[ie]\b|\bsem (?:nenhuma )?restriç(?:ão|ões)\b|"
        r"\bohne (?:jede |alle )?einschränkungen\b|\bzonder (?:enige )?beperkingen\b"
        r"|\bbez (?:żadnych )?ograniczeń\b",
    ),
    _signal(
        "translated",
        1.0,
        r"\b(?:tu es|tu sei|eres|você é|du bist|jij bent|jesteś) (?:maintenant|ora|ahora|agora|"
        r"jetzt|nu|teraz)\b|\bà partir de maintenant\b|\ba partir de ahora\b|\bda ora in poi\b|\bab jetzt\b|"
        r"\bvon nun an\b|\bvanaf nu\b|\bod teraz\b|\bde agora em diante\b",
    ),
    _signal(
        "translated",
        1.0,
        r"\b(?:nouvelles règles|nuevas reglas|nuove regole|novas regras|neue regeln|"
        r"nieuwe regels|nowe zasady)\b",
    ),
    _signal(
        "translated",
        1.0,
        r"\b(?:autres clients|otros clientes|altri clienti|outros clientes|anderer kunden|"
        r"andere klanten|innych klientów|andra kunders)\b",
    ),
    _signal(
        "translated",
        1.2,
        # "ignore" with what is ignored (rules, instructions), not a customer's own last message
        r"(?:忽略|无视|忽視|無視)[^。！？!?\n]{0,15}(?:指令|指示|规则|規則|设定|設定|提示词|提示詞|限制|命令|说明|說明)|"
        r"系统提示(?!我)|系統提示(?!我)|系统指令|指示を無視|システムプロンプト|"
        r"игнорируй|игнорировать|проигнорируй|системн\w* (?:промпт|подсказк|инструкци)|забудь\w* (?:все|свои|"
        r"предыдущ)|تجاهل[^.،؟!\n]{0,30}(?:التعليمات|تعليمات|القواعد|قواعد|الأوامر|الإرشادات)|موجه النظام|"
        r"تعليمات النظام|(?:지시|지침|규칙|명령|프롬프트|제한)[^.!?\n]{0,15}무시|"
        r"무시[^.!?\n]{0,15}(?:지시|지침|규칙|명령)|"
        r"시스템 프롬프트|talimatları|yok say|sistem istemi|"
        r"निर्देशों को|(?:निर्देश|नियम)[^।\n]{0,20}अनदेखा|सिस्टम प्रॉम्प्ट",
    ),
    # disguise requests
    _signal(
        "decode_request",
        0.6,
        r"\b(?:decode|decrypt|deobfuscate|convert from (?:hex|base64|binary)|"
        r"base64-?decode|rot13|reverse (?:this|the text)|read (?:it )?backwards)\b.{0,60}"
        r"\b(?:follow|execute|do|"
        r"obey|run|act on|apply)\b",
    ),
]


# --- the same in 44 more languages, from a lexicon (lexicon.py) -------------------------------------------


@dataclass(frozen=True)
class _LexiconSignal:
    """A signal read off the lexicon's concepts in a view, in place of a regular expression."""

    test: Callable[[dict[str, list[tuple[int, int]]]], bool]

    def search(self, view: str) -> bool:
        return self.test(_lexicon().concepts(view))


@functools.cache
def _lexicon() -> Lexicon:
    return Lexicon.load(_normalise)


_LEXICON_SIGNALS = [
    (
        "lexicon_override",
        1.2,
        _LexiconSignal(lambda c: near(c.get("ignore", []), c.get("instructions", []), 40, 25)),
    ),
    (
        "lexicon_extraction",
        1.2,
        _LexiconSignal(lambda c: near(c.get("reveal", []), c.get("system_prompt", []), 40, 25)),
    ),
    ("lexicon_system_prompt", 0.8, _LexiconSignal(lambda c: "system_prompt" in c)),
    ("lexicon_other_customers", 0.6, _LexiconSignal(lambda c: "other_customers" in c)),
    (
        "lexicon_role_play",
        1.0,
        _LexiconSignal(lambda c: any(k in c for k in ("no_restrictions", "from_now_on", "developer_mode"))),
    ),
]
_SIGNALS += _LEXICON_SIGNALS
