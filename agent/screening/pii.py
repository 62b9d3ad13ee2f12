"""Sensitive data in customers' text: found, typed, and masked before the text goes anywhere but the message
store.

Each type is found by a candidate pattern and confirmed by its check where one exists — python-stdnum for
the Luhn check of card numbers, IBAN check digits, ABA routing checksums and US social security numbers;
phonenumbers for telephone numbers — or by what the customer says it is ("my PIN is …", "sort code …",
"the code you texted me was …") for values no check can tell apart from any other number: account numbers,
sort codes, one-time codes, PINs and passwords. Amounts, dates, times, references and the last four digits of
a card are not sensitive and stay.

Where two findings overlap the earlier type of TYPES wins (a Luhn-valid 16-digit number is a card number, not
an account number or a telephone number; an IBAN's digits are not a card number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.us import rtn as us_routing
from stdnum.us import ssn as us_ssn

TYPES = (
    "iban",
    "card_number",
    "national_id",
    "routing_number",
    "sort_code",
    "email",
    "password",
    "pin",
    "account_number",
    "otp",
    "phone",
)


@dataclass(frozen=True, order=True)
class Finding:
    start: int
    end: int
    type: str

    def as_json(self) -> dict[str, object]:
        return {"type": self.type, "start": self.start, "end": self.end}


def find(text: str) -> list[Finding]:
    """Every sensitive value in `text`, in order, none overlapping."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind in TYPES:
        for start, end in _FINDERS[kind](text):
            if not any(start < other_end and other_start < end for other_start, other_end in taken):
                found.append(Finding(start, end, kind))
                taken.append((start, end))
    return sorted(found)


def mask(text: str, findings: list[Finding] | None = None) -> str:
    """`text` with each sensitive value replaced by its type: "my PIN is [PIN]"."""
    findings = find(text) if findings is None else findings
    pieces, position = [], 0
    for finding in findings:
        pieces += [text[position : finding.start], f"[{finding.type.upper()}]"]
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


# --- patterns -------------------------------------------------------------------------------------------

_NOT_BEFORE = r"(?<![\w@/.:-])"  # not inside a longer word, reference, path or address
_NOT_AFTER = r"(?![\w@]|[.,/-]\w)"

_CARD = re.compile(
    _NOT_BEFORE
    + r"(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?"  # 16 (or up to 19) digits in fours
    + r"|3[47]\d{2}([ -]?)\d{6}\2\d{5}"  # American Express, 4-6-5
    + r"|\d{13,19})"
    + _NOT_AFTER
)
_CARD_PREFIX = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9])|3(?:0[0-5]|[689])|35"
)

_IBAN = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![\w])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_SSN = re.compile(_NOT_BEFORE + r"\d{3}([- ])\d{2}\1\d{4}" + _NOT_AFTER)
_NINE_DIGITS = re.compile(_NOT_BEFORE + r"\d{9}" + _NOT_AFTER)
_NINO = re.compile(
    r"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?: ?\d{2}){3} ?[A-D](?![\w])",
    re.IGNORECASE,
)
_SORT_CODE = re.compile(_NOT_BEFORE + r"\d{2}([- ]?)\d{2}\1\d{2}" + _NOT_AFTER)
_DIGITS = re.compile(_NOT_BEFORE + r"\d{4,12}" + _NOT_AFTER)
_ACCOUNT_IN_FOURS = re.compile(_NOT_BEFORE + r"\d{4} \d{4}" + _NOT_AFTER)  # a UK account number: 1234 5678
_OTP = re.compile(_NOT_BEFORE + r"(?:\d{3} \d{3}|\d{4,8})" + _NOT_AFTER)

# What customers call each value they can only name. Matched case-insensitively on the text before (and for
# one-time codes also after) a candidate, within the same sentence or the one before.
_CUES = {
    "routing_number": re.compile(r"\brouting\b|\baba\b|\brtn\b", re.IGNORECASE),
    "sort_code": re.compile(r"\bsort ?codes?\b|\bs/c\b", re.IGNORECASE),
    "ssn": re.compile(r"\bssn\b|\bsocial\b", re.IGNORECASE),
    "pin": re.compile(r"\bpin\b|\bpins\b|\bpin ?(?:number|code|no)\b", re.IGNORECASE),
    "otp": re.compile(
        r"(?<!sort )(?<!sort)(?<!post)\bcodes?\b|\botps?\b|\bpass ?codes?\b|\bverification\b|\bone[- ]time\b"
        r"|\b2fa\b|\b3-?d ?secure\b|\bsms\b|\btexted\b|\bauthenticat",
        re.IGNORECASE,
    ),
    "account_number": re.compile(
        r"\baccount\b|\bacct\b|\bacc\b|\ba/c\b|\bchecking\b|\bsavings\b"
        r"|\bacc(?:ount)? ?(?:no|num|number|#)\b",
        re.IGNORECASE,
    ),
}
# Words that make a number something else: a reference, an amount, a quantity, the end of a card number.
_NOT_SENSITIVE_BEFORE = re.compile(
    r"(?:\b(?:ref(?:erence)?|case|ticket|order|tracking|transaction|invoice|claim|parcel|id)"
    r"|ending(?: in)?|last (?:4|four)(?: digits)?|(?<!acct)(?<!account)(?<!acc)(?<!a/c) ?#"
    r"|\*{2,}|x{2,}|•+|[£$€]|\bv)"
    r"\s*[:#]?\s*$",
    re.IGNORECASE,
)
_NOT_SENSITIVE_AFTER = re.compile(
    r"\s*(?:quid|pounds?|euros?|dollars?|gbp|usd|eur|k\b|%|p\b|pence|cents?|times|days|mins?|minutes|hours)",
    re.IGNORECASE,
)
NEAR = 25  # characters: how close a word must be to name the number after it
_PASSWORD = re.compile(
    r"\b(?:pass ?word|pwd|pw|passwd|login password|pass)\b"
    r"(?:\s+(?:(?:is|was|to|as)\b|=))?\s*[:=-]?\s*(?:now\s+|still\s+|just\s+)?['\"“‘(]?(?P<value>[^\s'\"”’,()]+)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n](?:\s|$)")


def _cards(text: str) -> Iterator[tuple[int, int]]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) in (15, 16, 19, 13) and _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
            if len(digits) == 15 and not digits.startswith(("34", "37")):
                continue
            yield match.span()


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    while match := _IBAN.search(text, position):
        value, position = match.group(), match.end()
        # the pattern may have run on into the next word or IBAN: try shorter readings, longest first
        for end in range(len(value), 14, -1):
            candidate = value[:end]
            if candidate.endswith(" ") or (end < len(value) and value[end] != " "):
                continue
            # ISO 13616's check digits; a country's own rules inside the account number are not ours to judge
            if _valid_iban(candidate):
                yield match.start(), match.start() + end
                position = match.start() + end
                break


def _valid_iban(value: str) -> bool:
    try:
        stdnum_iban.validate(value.replace(" ", "").upper(), check_country=False)
    except ValidationError:
        return False
    return True


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()


def _national_ids(text: str) -> Iterator[tuple[int, int]]:
    for match in _SSN.finditer(text):
        if us_ssn.is_valid(re.sub(r"\D", "", match.group())):
            yield match.span()
    for match in _NINE_DIGITS.finditer(text):
        if us_ssn.is_valid(match.group()) and _cued(text, match, "ssn", reach=90):
            yield match.span()
    for match in _NINO.finditer(text):
        yield match.span()


def _routing_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _NINE_DIGITS.finditer(text):
        if us_routing.is_valid(match.group()) and _cued(text, match, "routing_number"):
            yield match.span()


def _sort_codes(text: str) -> Iterator[tuple[int, int]]:
    for match in _SORT_CODE.finditer(text):
        if _in_a_longer_number(text, *match.span()):
            continue
        if _SORT_RIGHT_BEFORE.search(text, max(0, match.start() - 12), match.start()) or _cued(
            text, match, "sort_code"
        ):
            yield match.span()


# "Sort: 20-45-77", "sort 204577": the word alone names a sort code only when the number follows it at once
# ("Sort it out" names nothing)
_SORT_RIGHT_BEFORE = re.compile(r"\bsort\s*(?:is\s*)?[:#-]?\s*$", re.IGNORECASE)


def _passwords(text: str) -> Iterator[tuple[int, int]]:
    found = set()
    for match in _PASSWORD.finditer(text):
        start, end = match.span("value")
        end = _without_sentence_end(text, start, end)
        if _looks_like_password(text[start:end]):
            found.add((start, end))
            yield start, end
    if not _PASSWORD_TALK.search(text):
        return
    # "tried Dev19$ and then uiGeir0xoMC": in a message about signing in, what only a password looks like
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        end = _without_sentence_end(text, start, end)
        if (start, end) not in found and _strong_password_shape(text[start:end]):
            yield start, end


def _without_sentence_end(text: str, start: int, end: int) -> int:
    """Where a typed value ends once a full stop, comma or other sentence mark after it is left out: one such
    mark followed by the end of the text, a line break or a new sentence ("… is Rover.2018. Then …") ends the
    sentence, not the password; doubled marks ("hunter2!!") and symbols ("Dev19$") are the password's own."""
    if end - start < 2 or text[end - 1] not in ".!?;:" or text[end - 2] in ".!?;:":
        return end
    after = text[end:]
    if not after.strip() or after.startswith("\n") or re.match(r"\s+[A-Z]", after):
        return end - 1
    return end


_PASSWORD_TALK = re.compile(
    r"\bpass ?words?\b|\bpwd?\b|\blog ?in\b|\bsign ?in\b|\blocked out\b|\btried\b.*\b(?:work|wrong)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(?<![^\s'\"“‘(])[^\s'\"”’,()]{6,}")
_SYMBOLS = set("!@#$%^&*=+?~<>|\\")  # not "_": identifiers (customer_id) have it


def _strong_password_shape(value: str) -> bool:
    core = value.rstrip(".,;:!?")
    if not core or core.isalpha():
        return False  # a word at the end of a sentence ("enough?", "thanks!")
    if "@" in core and "." in core.split("@")[-1] or "://" in core or core.lower().startswith("www."):
        return False  # an address, not a password
    # two letters at least, one of them lower case, and a digit or a symbol: not a word, an identifier
    # (customer_id) or a reference (c-0001)
    letters = sum(c.isalpha() for c in core)
    has_lower = any(c.islower() for c in core)
    has_digit = any(c.isdigit() for c in core)
    shaped = letters >= 2 and has_lower and (has_digit or bool(_SYMBOLS & set(core)))
    return shaped and not _DATE.match(core)


def _looks_like_password(value: str) -> bool:
    # "my password is not working" names no password: one has digits, symbols or mixed case
    if len(value) < 4 or value.lower() in {"reset", "expired", "wrong", "incorrect", "changed"}:
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )
    return classes >= 2 and not value.rstrip(".!?").isalpha()


def _in_a_longer_number(text: str, start: int, end: int) -> bool:
    """Whether digits at [start, end) are one group of a number written in groups (07700 900123)."""
    return bool(
        re.search(r"\d[ -]$", text[max(0, start - 2) : start]) or re.match(r"[ -]\d", text[end : end + 2])
    )


def _pins(text: str) -> Iterator[tuple[int, int]]:
    for match in _DIGITS.finditer(text):
        if _in_a_longer_number(text, *match.span()):
            continue
        value = match.group()
        if not 4 <= len(value) <= 6:
            continue
        # a year ("a customer since 2011") is a PIN only when named right before it
        if _cued(text, match, "pin", reach=NEAR if _year(value) else 60):
            yield match.span()


def _otps(text: str) -> Iterator[tuple[int, int]]:
    for match in _OTP.finditer(text):
        if _in_a_longer_number(text, *match.span()):
            continue
        if _cued(text, match, "otp", after=True, reach=80) and not _year(match.group()):
            yield match.span()


def _account_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _DIGITS.finditer(text):
        if len(match.group()) >= 6 and _cued(text, match, "account_number", reach=40):
            yield match.span()
    for match in _ACCOUNT_IN_FOURS.finditer(text):
        if not _in_a_longer_number(text, *match.span()) and _cued(text, match, "account_number", reach=40):
            yield match.span()


def _phones(text: str) -> Iterator[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    # digits inside an IBAN-shaped reference (valid or not) or glued to letters are no telephone number
    shaped = [match.span() for match in _IBAN.finditer(text)]
    for region in ("GB", "US"):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            span = (match.start, match.end)
            if span in seen or not _phone_shaped(text, match.start, match.raw_string, match.number):
                continue
            if (match.start and text[match.start - 1].isalnum()) or any(
                match.start < end and start < match.end for start, end in shaped
            ):
                continue
            seen.add(span)
            yield span


_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_NANP = re.compile(r"^(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}$")


def _phone_shaped(text: str, start: int, raw: str, number: phonenumbers.PhoneNumber) -> bool:
    digits = re.sub(r"\D", "", raw)
    if not 9 <= len(digits) <= 15 or _DATE.match(raw):
        return False
    if _NOT_SENSITIVE_BEFORE.search(text[max(0, start - 25) : start]):
        return False
    if raw.startswith("+") or raw.startswith("("):
        return True
    if number.country_code == 44:
        return raw.startswith("0") and len(digits) in (10, 11)
    return bool(_NANP.match(raw))


def _year(value: str) -> bool:
    return len(value) == 4 and value.startswith(("19", "20"))


def _cued(text: str, match: re.Match[str], cue: str, *, after: bool = False, reach: int = 50) -> bool:
    """Whether the value at `match` is named by its cue: before it within `reach` characters of its
    sentence or the one before (or just after it, where `after`), and not named as something else."""
    start, end = match.span()
    pattern = _CUES[cue]
    # searched in place, so a cue's own look-behind ("sort code" is no one-time code) sees the whole text
    if pattern.search(text, max(0, start - NEAR), start):
        return True  # named right before it: "routing # 051391661", "acct# 7744"
    if _NOT_SENSITIVE_BEFORE.search(text[max(0, start - NEAR) : start]):
        return False
    if _NOT_SENSITIVE_AFTER.match(text, end):
        return False
    ends = [m.end() for m in _SENTENCE_END.finditer(text, max(0, start - reach), start)]
    window_start = ends[-2] if len(ends) >= 2 else max(0, start - reach)
    if pattern.search(text, window_start, start):
        return True
    if after:
        stop = _SENTENCE_END.search(text, end, end + reach)
        return bool(pattern.search(text, end, stop.start() if stop else min(len(text), end + reach)))
    return False


_FINDERS = {
    "card_number": _cards,
    "iban": _ibans,
    "national_id": _national_ids,
    "routing_number": _routing_numbers,
    "sort_code": _sort_codes,
    "email": _emails,
    "password": _passwords,
    "pin": _pins,
    "otp": _otps,
    "account_number": _account_numbers,
    "phone": _phones,
}
