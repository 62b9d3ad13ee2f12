"""Build screening_heldout.jsonl, a held-out test set for the sensitive-data screen.

Usage, from the repository root:

    python benchmarks/data/make_screening_heldout.py

Standard library only. The seed is fixed, so every run writes the same file. Each hand-written template below
is rendered several times with fresh fictional values. Every labelled span is checked against the rules of
its type, the unlabelled rest of each message is checked for anything that would pass those rules (a render
that leaks is drawn again), and the counts per type are printed at the end. See SCREENING_HELDOUT.md.
"""

from __future__ import annotations

import json
import random
import re
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

SEED = 46021
RENDERS = 4
MAX_TRIES = 400
OUT = Path(__file__).resolve().with_name("screening_heldout.jsonl")

TYPES = (
    "card_number",
    "iban",
    "account_number",
    "sort_code",
    "routing_number",
    "national_id",
    "email",
    "phone",
    "otp",
    "password",
    "pin",
)
MINIMUM = {"card_number": 100, "iban": 100} | dict.fromkeys(TYPES[2:], 40)

# ----------------------------------------------------------------------------------------------------------
# Checks: what a value of each type must satisfy.
# ----------------------------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    n = len(digits)
    if digits.startswith("4") and n in (13, 16, 19):
        return "visa"
    if n == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
        return "mastercard"
    if n == 15 and digits[:2] in ("34", "37"):
        return "amex"
    if 16 <= n <= 19 and (digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649):
        return "discover"
    return None


CARD_GROUPS = {13: {(13,)}, 15: {(15,), (4, 6, 5)}, 16: {(16,), (4, 4, 4, 4)}, 19: {(19,), (4, 4, 4, 4, 3)}}


def is_card(value: str) -> bool:
    seps = set(re.sub(r"\d", "", value))
    if len(seps) > 1 or not seps <= {" ", "-"}:
        return False
    groups = re.split(r"[ -]", value)
    digits = "".join(groups)
    if not all(g.isdigit() for g in groups):
        return False
    if tuple(len(g) for g in groups) not in CARD_GROUPS.get(len(digits), set()):
        return False
    return card_brand(digits) is not None and luhn_ok(digits)


# BBAN layout per country: (count, kind) with kind a = letter, n = digit, c = letter or digit.
IBAN_BBAN: dict[str, list[tuple[int, str]]] = {
    "GB": [(4, "a"), (14, "n")],
    "IE": [(4, "a"), (14, "n")],
    "DE": [(18, "n")],
    "FR": [(10, "n"), (11, "c"), (2, "n")],
    "ES": [(20, "n")],
    "IT": [(1, "a"), (10, "n"), (12, "c")],
    "NL": [(4, "a"), (10, "n")],
    "BE": [(12, "n")],
    "CH": [(5, "n"), (12, "c")],
    "AT": [(16, "n")],
    "PL": [(24, "n")],
    "PT": [(21, "n")],
    "SE": [(20, "n")],
    "DK": [(14, "n")],
    "NO": [(11, "n")],
    "FI": [(14, "n")],
    "LU": [(3, "n"), (13, "c")],
}
IBAN_LEN = {cc: 4 + sum(n for n, _ in spec) for cc, spec in IBAN_BBAN.items()}
_KIND = {"a": "[A-Z]", "n": "[0-9]", "c": "[A-Z0-9]"}
IBAN_BBAN_RE = {
    cc: re.compile("".join(f"{_KIND[k]}{{{n}}}" for n, k in spec)) for cc, spec in IBAN_BBAN.items()
}


def iban_remainder(compact: str) -> int:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def iban_valid_compact(compact: str) -> bool:
    cc = compact[:2]
    return (
        cc in IBAN_LEN
        and len(compact) == IBAN_LEN[cc]
        and compact[2:4].isdigit()
        and IBAN_BBAN_RE[cc].fullmatch(compact[4:]) is not None
        and iban_remainder(compact) == 1
    )


def is_iban(value: str) -> bool:
    if " " in value:
        groups = value.split(" ")
        if any(len(g) != 4 for g in groups[:-1]) or not 1 <= len(groups[-1]) <= 4:
            return False
    return iban_valid_compact(value.replace(" ", "").upper())


def aba_ok(digits: str) -> bool:
    weights = (3, 7, 1) * 3
    if len(digits) != 9 or not digits.isdigit():
        return False
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True)) % 10 == 0


def is_routing(value: str) -> bool:
    return aba_ok(value) and (1 <= int(value[:2]) <= 12 or 21 <= int(value[:2]) <= 32)


def is_account(value: str) -> bool:
    return re.fullmatch(r"\d{6,17}|\d{4}[ -]\d{4}", value) is not None


def is_sort_code(value: str) -> bool:
    return re.fullmatch(r"\d{2}([- ]?)\d{2}\1\d{2}", value) is not None


def is_ssn(value: str) -> bool:
    m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", value)
    if not m:
        return False
    area, group, serial = m.group(1), m.group(3), m.group(4)
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def is_nino(value: str) -> bool:
    v = value.upper()
    m = re.fullmatch(r"([A-Z]{2})(\d{6})([A-D])|([A-Z]{2}) (\d{2}) (\d{2}) (\d{2}) ([A-D])", v)
    if not m:
        return False
    prefix = v[:2]
    return prefix[0] in NINO_FIRST and prefix[1] in NINO_SECOND and prefix not in NINO_BAD_PREFIX


def is_national_id(value: str) -> bool:
    return is_ssn(value) or is_nino(value)


EMAIL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*@(?:[a-z0-9-]+\.)*example\.(?:com|org|net)")


def is_email(value: str) -> bool:
    return EMAIL_RE.fullmatch(value) is not None and ".." not in value


# Numbers set aside for drama and fiction, in national form (leading 0) or NANP form.
FICTION_PHONE_RE = re.compile(
    r"07700900\d{3}"  # UK mobile
    r"|020794600\d{2}|02079460\d{3}"  # London
    r"|01614960\d{3}|01314960\d{3}"  # Manchester, Edinburgh
    r"|[2-9]\d{2}55501\d{2}"  # US / Canada
    r"|0[2378]5550\d{4}|0[2378]7010\d{4}"  # Australia, landlines
    r"|0491570(?:006|156|157|158|159|110|313|737)"  # Australia, mobiles
    r"|063998\d{4}|019900\d{4}"  # France
)


def national_phone_digits(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    compact = re.sub(r"[ .()-]", "", value)
    if compact.startswith("+44") or compact.startswith("+44(0)"):
        rest = digits[2:]
        return rest if rest.startswith("0") else "0" + rest
    if compact.startswith("+61"):
        return "0" + digits[2:]
    if compact.startswith("+33"):
        return "0" + digits[2:]
    if compact.startswith("+1") or (len(digits) == 11 and digits.startswith("1")):
        return digits[1:]
    if compact.startswith("+"):
        return None
    return digits


def is_phone(value: str) -> bool:
    if re.fullmatch(r"\+?[\d(][\d ().-]*\d", value) is None:
        return False
    if value.count("(") != value.count(")") or re.search(r"[ .-]{2}", value):
        return False
    national = national_phone_digits(value)
    if national is None:
        return False
    if re.fullmatch(r"55501\d{2}", national):  # seven-digit US local number
        return True
    return FICTION_PHONE_RE.fullmatch(national) is not None


def is_otp(value: str) -> bool:
    return re.fullmatch(r"\d{4,8}|\d{3} \d{3}", value) is not None


def is_password(value: str) -> bool:
    return (
        6 <= len(value) <= 32
        and re.search(r"[\s\"'`]", value) is None
        and value[-1] not in ".,;:?!)"
        and value[0] not in "(["
    )


def is_pin(value: str) -> bool:
    return re.fullmatch(r"\d{4}|\d{6}", value) is not None


CHECKS: dict[str, Callable[[str], bool]] = {
    "card_number": is_card,
    "iban": is_iban,
    "account_number": is_account,
    "sort_code": is_sort_code,
    "routing_number": is_routing,
    "national_id": is_national_id,
    "email": is_email,
    "phone": is_phone,
    "otp": is_otp,
    "password": is_password,
    "pin": is_pin,
}

# ----------------------------------------------------------------------------------------------------------
# Fictional values.
# ----------------------------------------------------------------------------------------------------------


def listed(text: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = listed(
    "Margaret Tomasz Priya Declan Ifeoma Hollis Agnieszka Bartholomew Wren Jomo Saoirse Eleni Dmitri Niamh "
    "Olusegun Rosalind Teodor Yasmin Clement Marguerite Kofi Isolde Henrik Lucinda Ravi Beatrix Emeka Petra "
    "Fintan Ottoline Rashida Casimir Imelda Thaddeus Zainab Leopold Mirela Cormac Odile Anselm",
    " ",
)
LAST = listed(
    "Pennywhistle Okonkwo-Hale Brackenbury Vasquez-Lowe Thistlewood Marchetti Abernethy Kowalczyk "
    "Fairbrother Oyelaran Hargreave Lindqvist Quillfeather Devereux Mbeki-Shaw Cartwright-Nnadi Ellingham "
    "Szymanski Ravensworth Achterberg Pemberton-Oduya Garroway Halloran Featherstone Nakashima-Reid Dunmore "
    "Castellane Winterbourne Albrecht Moyo-Sinclair Threlkeld Ferreira-Boyle Ashdown Petrakis Lockridge",
    " ",
)
CITIES = listed(
    "Leeds|Bristol|Norwich|Cardiff|Glasgow|Derby|Exeter|York|Dundee|Swansea|Columbus|Tucson|Boise|Albany|"
    "Raleigh|Lyon|Porto|Gdańsk|Utrecht|Cork|Valencia|Graz|Bologna|Aarhus"
)
MERCHANTS = listed(
    "StreamHub|QuickMart Online|Velo Fitness|SkyNest Hotels|Paperleaf Books|Gadgetry Direct|FreshCart|"
    "Nimbus Travel|Bytewave Games|Larder & Co|PetPantry|Kestrel Airways|GlowBox Beauty|Tidewater Fuel|"
    "Corner Cinema|ParcelPal"
)
COMPANIES = listed(
    "Brightwell Joinery Ltd|Harcourt & Finch LLP|Oakmere Lettings|Pinecrest Title LLC|Saltmarsh Logistics|"
    "Copperleaf Dental|Northgate Motors|Bluefin Analytics GmbH|Maison Verrier SARL|Tallis Property Services|"
    "Redwater Plumbing|Quayside Accountants|Lumen & Hart Solicitors|Ferrovia Imports SL|Halcyon Care Homes"
)
STREETS = listed("Pennyroyal|Gorse|Tannery|Wickham|Saxon|Millbrook|Larkspur|Cobden|Ferndale|Quarry|Orchard")
STREET_KINDS = ("Road", "Street", "Close", "Lane", "Avenue", "Crescent", "Way")
STATES = ("OH", "TX", "AZ", "ID", "NY", "NC", "WA", "PA", "OR", "MN")
COUNTRIES = ("Germany", "Spain", "Poland", "Portugal", "the Netherlands", "Ireland", "France", "Italy")
MONTHS = listed("January February March April May June July August September October November December", " ")
PASSWORD_WORDS = listed(
    "Sunflower bluebell Marmalade Rover Tigger Kettle Poppy Biscuit Lighthouse Cornwall Hedgehog Penguin "
    "Walnut Autumn Meadow Falcon Zebra Bramble Nutmeg Thimble Juniper Skylark Puffin Haddock",
    " ",
)
UK_OUTWARD = ("LS6", "BS8", "NR2", "CF24", "G12", "DE22", "EX4", "YO31", "DD1", "SA2", "M14", "EH3", "SW11")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
US_AREA = ("212", "312", "415", "617", "202", "303", "512", "206", "614", "919", "208", "520", "518")
AU_MOBILE = ("0491 570 006", "0491 570 156", "0491 570 157", "0491 570 158", "0491 570 159", "0491 570 110")


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def luhn_complete(partial: str) -> str:
    return next(partial + c for c in "0123456789" if luhn_ok(partial + c))


def group(s: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(s[i : i + size])
        i += size
    return sep.join(out)


def card_digits(rng: random.Random, brand: str | None = None) -> str:
    brand = brand or rng.choices(["visa", "mastercard", "amex", "discover"], [45, 30, 13, 12])[0]
    if brand == "visa":
        length = rng.choices([16, 13, 19], [92, 3, 5])[0]
        prefix = "4"
    elif brand == "mastercard":
        length = 16
        prefix = rng.choice(["51", "52", "53", "54", "55", str(rng.randint(2221, 2720))])
    elif brand == "amex":
        length = 15
        prefix = rng.choice(["34", "37"])
    else:
        length = 16
        prefix = rng.choice(["6011", "65", str(rng.randint(644, 649))])
    return luhn_complete(prefix + digits(rng, length - len(prefix) - 1))


def format_card(rng: random.Random, num: str, style: str | None = None) -> str:
    style = style or rng.choices(["run", "space", "dash"], [30, 55, 15])[0]
    sizes = {13: (13,), 15: (4, 6, 5), 16: (4, 4, 4, 4), 19: (4, 4, 4, 4, 3)}[len(num)]
    if style == "run" or len(num) == 13:
        return num
    return group(num, sizes, " " if style == "space" else "-")


def gen_card(style: str | None = None, brand: str | None = None) -> Callable[[random.Random], str]:
    return lambda rng: format_card(rng, card_digits(rng, brand), style)


def bban(rng: random.Random, cc: str) -> str:
    out = []
    for n, kind in IBAN_BBAN[cc]:
        for _ in range(n):
            if kind == "a" or (kind == "c" and rng.random() < 0.2):
                out.append(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            else:
                out.append(rng.choice("0123456789"))
    text = "".join(out)
    if cc == "GB" and rng.random() < 0.4:
        text = "RHOB" + text[4:]
    return text


def iban_compact(rng: random.Random, cc: str) -> str:
    body = bban(rng, cc)
    check = 98 - iban_remainder(cc + "00" + body)
    return f"{cc}{check:02d}{body}"


def format_iban(rng: random.Random, compact: str, style: str | None = None) -> str:
    style = style or rng.choices(["run", "groups", "lower_run", "lower_groups"], [45, 40, 7, 8])[0]
    text = compact.lower() if style.startswith("lower") else compact
    if style.endswith("groups"):
        text = " ".join(text[i : i + 4] for i in range(0, len(text), 4))
    return text


EU_WEIGHTS = {"DE": 14, "FR": 12, "ES": 12, "IT": 8, "NL": 10, "IE": 10, "BE": 5, "CH": 4, "AT": 5, "PL": 6}
EU_WEIGHTS |= {"PT": 5, "SE": 3, "DK": 2, "NO": 2, "FI": 2, "LU": 2}


def gen_iban(country: str | None = None, style: str | None = None) -> Callable[[random.Random], str]:
    def make(rng: random.Random) -> str:
        cc = country
        if cc is None:
            cc = "GB" if rng.random() < 0.3 else rng.choices(list(EU_WEIGHTS), list(EU_WEIGHTS.values()))[0]
        elif cc == "EU":
            cc = rng.choices(list(EU_WEIGHTS), list(EU_WEIGHTS.values()))[0]
        return format_iban(rng, iban_compact(rng, cc), style)

    return make


def gen_bad_iban(rng: random.Random) -> str:
    cc = rng.choice(["GB", "DE", "FR", "NL", "ES", "IE"])
    good = iban_compact(rng, cc)
    while True:
        bad = good[:2] + f"{rng.randint(2, 99):02d}" + good[4:]
        if iban_remainder(bad) != 1:
            break
    return format_iban(rng, bad, rng.choice(["run", "groups"]))


def gen_routing(rng: random.Random) -> str:
    prefix = f"{rng.choice(list(range(1, 13)) + list(range(21, 33))):02d}"
    body = prefix + digits(rng, 6)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    last = (-sum(int(c) * w for c, w in zip(body, weights, strict=True))) % 10
    return body + str(last)


def gen_acct(rng: random.Random) -> str:
    num = str(rng.randint(1, 9)) + digits(rng, 7)
    return num if rng.random() < 0.9 else group(num, (4, 4), " ")


def gen_acct_us(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + digits(rng, rng.choice([9, 10, 11]))


def gen_sort(rng: random.Random) -> str:
    pairs = [f"{rng.randint(1, 99):02d}" for _ in range(3)]
    return rng.choices(["-", " ", ""], [65, 20, 15])[0].join(pairs)


def gen_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    parts = (f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}")
    return rng.choices(["-", " ", ""], [75, 12, 13])[0].join(parts)


def gen_nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if prefix not in NINO_BAD_PREFIX:
            break
    num, suffix = digits(rng, 6), rng.choice("ABCD")
    text = prefix + num + suffix if rng.random() < 0.55 else f"{prefix} {group(num, (2, 2, 2), ' ')} {suffix}"
    return text.lower() if rng.random() < 0.08 else text


def gen_email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower().replace("-", "")
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}{rng.randint(50, 99)}",
            f"{first}_{last[:4]}",
            f"{first}.{last}+bank",
            f"{last}.{first[0]}{rng.randint(1, 9)}",
            f"{first[:3]}{last[:3]}{rng.randint(1950, 2005)}",
        ]
    )
    domain = rng.choices(["example.com", "example.org", "example.net", "mail.example.com"], [45, 25, 22, 8])[
        0
    ]
    return f"{local}@{domain}"


def phone_uk_mobile(rng: random.Random) -> str:
    x = f"{rng.randint(0, 999):03d}"
    return rng.choice(
        [
            f"07700 900{x}",
            f"07700900{x}",
            f"+44 7700 900{x}",
            f"+447700900{x}",
            f"+44 (0)7700 900{x}",
            f"07700-900-{x}",
            f"07700 900 {x}",
        ]
    )


def phone_uk_land(rng: random.Random) -> str:
    x = f"{rng.randint(0, 999):03d}"
    area = rng.choices(["20 7946", "161 496", "131 496"], [70, 15, 15])[0]
    a, b = area.split()
    return rng.choice(
        [
            f"0{a} {b} 0{x}",
            f"(0{a}) {b} 0{x}",
            f"+44 {a} {b} 0{x}",
            f"0{a}{b}0{x}",
            f"+44 (0){a} {b} 0{x}",
            f"0{a}-{b}-0{x}",
        ]
    )


def phone_us(rng: random.Random) -> str:
    area, x = rng.choice(US_AREA), f"{rng.randint(0, 99):02d}"
    return rng.choice(
        [
            f"({area}) 555-01{x}",
            f"{area}-555-01{x}",
            f"{area}.555.01{x}",
            f"+1 {area} 555 01{x}",
            f"1-{area}-555-01{x}",
            f"+1 ({area}) 555-01{x}",
            f"{area}55501{x}",
            f"+1-{area}-555-01{x}",
        ]
    )


def phone_au(rng: random.Random) -> str:
    if rng.random() < 0.5:
        mob = rng.choice(AU_MOBILE)
        return mob if rng.random() < 0.5 else "+61 " + mob[1:]
    area, block = rng.choice("2378"), rng.choice(["5550", "7010"])
    x = digits(rng, 4)
    return rng.choice([f"(0{area}) {block} {x}", f"+61 {area} {block} {x}", f"0{area} {block} {x}"])


def phone_fr(rng: random.Random) -> str:
    lead = rng.choice(["6 39 98", "1 99 00"])
    x = f"{digits(rng, 2)} {digits(rng, 2)}"
    return rng.choice([f"0{lead} {x}", f"+33 {lead} {x}", f"0{lead.replace(' ', '.')}.{x.replace(' ', '.')}"])


def phone_intl(rng: random.Random) -> str:
    return rng.choice([phone_au, phone_fr])(rng)


def phone_any(rng: random.Random) -> str:
    return rng.choices([phone_uk_mobile, phone_uk_land, phone_us, phone_intl], [35, 20, 30, 15])[0](rng)


def gen_otp(rng: random.Random) -> str:
    n = rng.choices([6, 4, 5, 8, 0], [68, 9, 5, 10, 8])[0]
    return f"{digits(rng, 3)} {digits(rng, 3)}" if n == 0 else digits(rng, n)


def gen_password(rng: random.Random) -> str:
    word, word2 = rng.sample(PASSWORD_WORDS, 2)
    leet = word.replace("o", "0").replace("a", "4").replace("e", "3").replace("i", "1")
    year = str(rng.randint(1958, 2024))
    kind = rng.randint(0, 7)
    if kind == 0:
        return word.capitalize() + year
    if kind == 1:
        return f"{word.capitalize()}{rng.choice('#$%&*@')}{rng.randint(1, 99)}"
    if kind == 2:
        return f"{leet.capitalize()}{rng.randint(10, 99)}{rng.choice('#$%&*@')}"
    if kind == 3:
        first = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghkmnpqrstuvwxyz23456789")
        middle = "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghkmnpqrstuvwxyz23456789!#$%&*^-_=") for _ in range(10)
        )
        return first + middle + rng.choice("abcdefghkmnpqrstuvwxyz23456789#$%&*")
    if kind == 4:
        return f"{word.lower()}{rng.choice('-_')}{word2.lower()}{rng.choice('-_')}{rng.randint(1, 99)}"
    if kind == 5:
        return f"{word.lower()}{rng.randint(1, 999)}"
    if kind == 6:
        return f"{word.capitalize()}.{year}"
    return f"{word2.capitalize()}!{leet.lower()}{rng.randint(1, 9)}"


def gen_pin(rng: random.Random) -> str:
    return digits(rng, 6 if rng.random() < 0.07 else 4)


# Near misses and filler. None of these is labelled.


def fail_luhn(rng: random.Random, prefix: str, length: int) -> str:
    while True:
        num = prefix + digits(rng, length - len(prefix))
        if not luhn_ok(num):
            return num


def gen_bad_card(rng: random.Random) -> str:
    num = fail_luhn(rng, rng.choice(["4", "5", "4", "6011", "37"]), 16)
    return rng.choice([num, group(num, (4, 4, 4, 4), " "), group(num, (4, 4, 4, 4), "-")])


def gen_txn(rng: random.Random) -> str:
    n = rng.choice([10, 12, 14, 16, 18, 20])
    num = fail_luhn(rng, str(rng.randint(1, 9)), n)
    return rng.choice([num, num, "TXN" + num, "T" + num[:12]])


def gen_amount(rng: random.Random) -> str:
    value = rng.choices([rng.randint(5, 120), rng.randint(100, 2500), rng.randint(1000, 45000)], [4, 5, 1])[0]
    pence = rng.randint(0, 99)
    return rng.choice(
        [
            f"£{value:,}.{pence:02d}",
            f"£{value:,}",
            f"${value:,}.{pence:02d}",
            f"€{value:,}",
            f"{value:,} pounds",
            f"USD {value:,}.{pence:02d}",
            f"£{value}",
        ]
    )


def gen_date(rng: random.Random) -> str:
    y, m, d = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
    month = MONTHS[m - 1]
    suffix = "th" if 10 < d < 14 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return rng.choice(
        [
            f"{d:02d}/{m:02d}/{y}",
            f"{d} {month}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}.{m:02d}.{y}",
            f"{month} {d}, {y}",
            f"{d} {month[:3]} {y}",
            f"the {d}{suffix}",
            f"{m}/{d}/{y % 100:02d}",
        ]
    )


def gen_date_dash(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(23, 25)}"


def gen_time(rng: random.Random) -> str:
    h, m = rng.randint(0, 23), rng.choice([0, 5, 12, 15, 20, 30, 41, 45, 58])
    h12 = h % 12 or 12
    return rng.choice([f"{h:02d}:{m:02d}", f"{h12}.{m:02d}{'am' if h < 12 else 'pm'}", f"{h12}:{m:02d} pm"])


def gen_ticket(rng: random.Random) -> str:
    y = rng.randint(2023, 2025)
    return rng.choice(
        [
            f"RB-{digits(rng, 7)}",
            f"#{rng.randint(1000000, 9999999)}",
            f"CASE-{y}-{digits(rng, 6)}",
            f"INC{digits(rng, 8)}",
            f"{y}-{rng.randint(100000, 999999)}",
            f"SR{digits(rng, 7)}",
        ]
    )


def gen_refdash(rng: random.Random) -> str:
    y, n = rng.randint(2023, 2025), rng.randint(100000, 999999)
    return rng.choice([f"{y}-{n}", f"RB/{y}/{n}", f"{y}-{n}-{rng.randint(1, 9)}"])


def gen_masked(rng: random.Random) -> str:
    l4 = digits(rng, 4)
    return rng.choice(
        [
            f"•••• {l4}",
            f"**** {l4}",
            f"xxxx-xxxx-xxxx-{l4}",
            f"XXXX XXXX XXXX {l4}",
            f"************{l4}",
            f"{rng.choice(['4', '5'])}{digits(rng, 5)}******{l4}",
            f"**** **** **** {l4}",
        ]
    )


def gen_tracking(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return rng.choice(
        [
            f"1Z{rng.choice(letters)}{digits(rng, 2)}{rng.choice(letters * 2)}{digits(rng, 12)}",
            f"{rng.choice(letters)}{rng.choice(letters)}{digits(rng, 9)}GB",
            f"9400 1{digits(rng, 3)} {digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)} "
            f"{digits(rng, 2)}",
            f"JD{digits(rng, 16)}",
        ]
    )


def gen_postcode(rng: random.Random) -> str:
    tail = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    return f"{rng.choice(UK_OUTWARD)} {rng.randint(1, 9)}{tail}"


def gen_version(rng: random.Random) -> str:
    v = f"{rng.randint(3, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return rng.choice([v, "v" + v, f"{v} (build {rng.randint(1000, 99999)})"])


def gen_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def gen_street(rng: random.Random) -> str:
    return f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"


def gen_bic(rng: random.Random) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    bank = "".join(rng.choice(letters) for _ in range(4))
    cc = rng.choice(["GB", "DE", "FR", "ES", "NL", "IE", "IT", "CH"])
    loc = rng.choice(letters) + rng.choice(letters + "23456789")
    return bank + cc + loc + rng.choice(["", "", "XXX", "".join(rng.choice(letters) for _ in range(3))])


def gen_username(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower().replace("-", "")
    return rng.choice(
        [f"{first[0]}{last}{rng.randint(1, 99)}", f"{first}.{last[0]}", f"{first}_{rng.randint(1950, 2004)}"]
    )


def gen_dob(rng: random.Random) -> str:
    y, m, d = rng.randint(1935, 2002), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{d:02d}/{m:02d}/{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{MONTHS[m - 1]} {d}, {y}",
            f"{d} {MONTHS[m - 1]} {y}",
        ]
    )


def gen_errcode(rng: random.Random) -> str:
    return rng.choice(
        [
            f"E{digits(rng, 4)}",
            f"ERR_{digits(rng, 4)}",
            str(rng.choice([401, 403, 500, 502])),
            f"RC-{digits(rng, 2)}",
        ]
    )


def pick(*options: str) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(options)


def nine_digits_not_aba(rng: random.Random) -> str:
    while True:
        num = str(rng.randint(1, 9)) + digits(rng, 8)
        if not aba_ok(num):
            return num


Gen = Callable[[random.Random], str]
FIELDS: dict[str, tuple[str | None, Gen]] = {
    # Labelled.
    "card": ("card_number", gen_card()),
    "card_sp": ("card_number", gen_card("space")),
    "card_dash": ("card_number", gen_card("dash")),
    "card_run": ("card_number", gen_card("run")),
    "amex": ("card_number", gen_card(None, "amex")),
    "visa": ("card_number", gen_card(None, "visa")),
    "iban": ("iban", gen_iban()),
    "iban_eu": ("iban", gen_iban("EU")),
    "iban_sp": ("iban", gen_iban(None, "groups")),
    "iban_lc": ("iban", gen_iban(None, "lower_groups")),
    "acct": ("account_number", gen_acct),
    "acct_us": ("account_number", gen_acct_us),
    "sort": ("sort_code", gen_sort),
    "routing": ("routing_number", gen_routing),
    "ssn": ("national_id", gen_ssn),
    "nino": ("national_id", gen_nino),
    "email": ("email", gen_email),
    "phone": ("phone", phone_any),
    "phone_mob": ("phone", phone_uk_mobile),
    "phone_uk": ("phone", lambda rng: rng.choice([phone_uk_mobile, phone_uk_land])(rng)),
    "phone_ldn": ("phone", phone_uk_land),
    "phone_us": ("phone", phone_us),
    "phone_au": ("phone", phone_au),
    "phone_fr": ("phone", phone_fr),
    "phone_intl": ("phone", phone_intl),
    "otp": ("otp", gen_otp),
    "password": ("password", gen_password),
    "pin": ("pin", gen_pin),
    # Not labelled.
    "amount": (None, gen_amount),
    "date": (None, gen_date),
    "date_dash": (None, gen_date_dash),
    "time": (None, gen_time),
    "ticket": (None, gen_ticket),
    "refdash": (None, gen_refdash),
    "txn": (None, gen_txn),
    "badcard": (None, gen_bad_card),
    "badiban": (None, gen_bad_iban),
    "last4": (None, lambda rng: digits(rng, 4)),
    "masked": (None, gen_masked),
    "tracking": (None, gen_tracking),
    "invoice": (
        None,
        lambda rng: rng.choice([f"INV-{rng.randint(2023, 2025)}-{digits(rng, 5)}", f"{digits(rng, 6)}"]),
    ),
    "postcode": (None, gen_postcode),
    "zip": (None, lambda rng: digits(rng, 5) if rng.random() < 0.7 else f"{digits(rng, 5)}-{digits(rng, 4)}"),
    "year": (None, lambda rng: str(rng.randint(1998, 2025))),
    "pct": (
        None,
        lambda rng: rng.choice([f"{rng.randint(0, 8)}.{rng.randint(0, 99):02d}%", f"{rng.randint(1, 30)}%"]),
    ),
    "ip": (
        None,
        lambda rng: rng.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(rng.randint(1, 254)),
    ),
    "version": (None, gen_version),
    "iosver": (None, lambda rng: f"{rng.randint(15, 18)}.{rng.randint(0, 6)}.{rng.randint(0, 3)}"),
    "androidver": (None, lambda rng: str(rng.randint(11, 15))),
    "count": (None, lambda rng: str(rng.randint(2, 9))),
    "days": (None, lambda rng: str(rng.randint(3, 45))),
    "age": (None, lambda rng: str(rng.randint(68, 93))),
    "name": (None, gen_name),
    "first": (None, lambda rng: rng.choice(FIRST)),
    "city": (None, lambda rng: rng.choice(CITIES)),
    "uscity": (None, pick("Columbus", "Tucson", "Boise", "Albany", "Raleigh", "Spokane", "Duluth", "Erie")),
    "merchant": (None, lambda rng: rng.choice(MERCHANTS)),
    "company": (None, lambda rng: rng.choice(COMPANIES)),
    "street": (None, gen_street),
    "state": (None, lambda rng: rng.choice(STATES)),
    "country": (None, lambda rng: rng.choice(COUNTRIES)),
    "month": (None, lambda rng: rng.choice(MONTHS)),
    "dayofmonth": (None, pick("1st", "5th", "15th", "28th", "last working day")),
    "taxyear": (None, pick("2022/23", "2023/24", "2023-24", "2024/25")),
    "expiry": (None, lambda rng: f"{rng.randint(1, 12):02d}/{rng.randint(26, 30)}"),
    "dob": (None, gen_dob),
    "bic": (None, gen_bic),
    "errcode": (None, gen_errcode),
    "mandate": (None, lambda rng: rng.choice([f"RHO-DD-{digits(rng, 6)}", f"MD{digits(rng, 10)}"])),
    "username": (None, gen_username),
    "empid": (None, lambda rng: rng.choice([f"E{digits(rng, 5)}", f"EMP-{digits(rng, 6)}"])),
    "achid": (None, lambda rng: "1" + digits(rng, 9)),
    "chequeno": (None, lambda rng: digits(rng, 6)),
    "claim": (None, lambda rng: rng.choice([f"CLM-{digits(rng, 7)}", nine_digits_not_aba(rng)])),
    "order": (
        None,
        lambda rng: rng.choice(
            [f"{digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}", f"ORD{digits(rng, 6)}"]
        ),
    ),
    "loanref": (
        None,
        lambda rng: rng.choice([f"MTG{digits(rng, 8)}", f"LN-{digits(rng, 4)}-{digits(rng, 6)}"]),
    ),
    "custno": (None, lambda rng: digits(rng, rng.choice([8, 10]))),
    "serial": (None, lambda rng: f"RDR-{digits(rng, 5)}-{digits(rng, 4)}"),
    "atmid": (None, lambda rng: f"ATM{digits(rng, 4)}"),
    "shortcode": (None, lambda rng: str(rng.randint(60000, 89999))),
    "fileno": (None, lambda rng: f"F/{rng.randint(2023, 2025)}/{digits(rng, 5)}"),
    "batchid": (
        None,
        lambda rng: (
            f"B{rng.randint(2023, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-0{rng.randint(1, 9)}"
        ),
    ),
    "uetr": (None, lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4))),
    "flight": (None, lambda rng: f"{rng.choice(['BA', 'EI', 'LH', 'KL'])}{rng.randint(100, 2999)}"),
    "ms": (None, lambda rng: str(rng.randint(120, 9000))),
}

# ----------------------------------------------------------------------------------------------------------
# Templates. {field} is replaced by a fresh value of that field; {field.2} by a second, independent one (the
# same {field.N} twice in a template repeats one value). [[a|b|c]] picks one of the alternatives.
# ----------------------------------------------------------------------------------------------------------

CARD_TEMPLATES = [
    "Hi, I just got a text saying my card {card} was used at {merchant} for {amount}. That wasn't me!! "
    "Please block it",
    "[[hello|hi|hey]] someone has been using my card, number is {card_sp}, there are [[two|three|four]] "
    "payments on {date} I dont recognise, the biggest one is {amount}",
    "Dear Sir or Madam,\n\nMy grandson tells me I should not have read my card number to a man who "
    "telephoned this morning saying he was from the bank. The number is {card} and he also asked for the PIN "
    "which I did not give him. Please could someone ring me back on {phone_uk}.\n\nYours faithfully,\n{name}",
    "Hello, I am lost my card yesterday in the metro. The card number was {card_dash}. Please you can cancel "
    "it and send new one to my address? Thank you very much",
    "THIS IS THE THIRD TIME I'M WRITING. card {card_run} has been charged {amount} by {merchant} AGAIN. I "
    "cancelled that subscription on {date}. Case {ticket} was supposedly closed. Sort it out or I'm closing "
    "my account.",
    "Card number: {card}\nExpiry: {expiry}\nName on card: {name}\nReason: card kept by ATM at {city} branch\n"
    "Contact email: {email}",
    "new card arrived but the chip doesn't work. number on the front is {card_sp}, the old one ending "
    "{last4} can be destroyed right?",
    "can u check if {card} is blocked? tried to pay {amount} at {merchant} and it got declined. screen said "
    "something about 'do not honour'",
    "I have two cards with you: the debit card {card.1} and the credit card {card.2}. Only the credit one "
    "shows the strange charge of {amount} from {date}.",
    "Not sure if you handle this but my Rho Bank Amex {amex} was charged twice for the same hotel booking "
    "(booking ref {ticket}). Each charge was {amount}.",
    "I want to dispute a transaction.\nCard: {card}\nMerchant: {merchant}\nDate: {date}\nAmount: {amount}\n"
    "Transaction ID: {txn}\nI never received the goods, tracking {tracking} has said 'label created' for "
    "{days} days.",
    "my card {card_sp} got swallowed by the machine, also I think someone watched me type my PIN which is "
    "{pin} so please cancel it asap",
    "I got a code {otp} for a payment of {amount} to {merchant} on card {card_run}. I didn't ask for this. "
    "Is someone trying to use my card?",
    "hi\nmy card got cloned i think\n{card_dash}\nthere's a payment in {city} and i'm at home in {city.2}",
    "Please send the replacement for card {card} to my new address: {street}, {city}, {postcode}. I moved on "
    "{date}. My new mobile is {phone_mob}.",
    "Hi team,\n\nFollowing up on ticket {ticket}. The card you sent ({card_sp}) still has my maiden name on "
    "it. Could you reissue it in my married name, {name}?\n\nThanks,\n{name}\n{phone}\n{email}",
    "Card {card} — contactless stopped working after I updated the app to {version}. It still works with "
    "chip and PIN.",
    "Hey, I'm traveling in Europe and my card {card} keeps getting declined. I set a travel notice for "
    "{date} through {date.2}. My cell is {phone_us} if you need to call.",
    "Which of these cards is still active?\n1. {card.1}\n2. {card.2}\n3. the old one ending {last4}",
    "My father passed away on {date}. His card was {card} and I'd like it cancelled. I'm his executor; my "
    "email is {email}.",
    "The receipt shows {masked} but I think it went on my other card, full number {card_sp}. Charged "
    "{amount} at {time} on {date}.",
    "My wallet was stolen in {city} today with my debit card {card} and my driving licence. I also had a "
    "note with my National Insurance number {nino} in it (I know). What should I do?",
    "Good morning, my card {card_dash} is blocked since {date}. I try to pay in supermarket and they say "
    "declined. I have money, balance is {amount}. Please help me.",
    "The virtual card number in the app is {card_run} but the online shop says invalid card number. Tried "
    "[[3|three|4]] times. Browser is Firefox {version}.",
    "Chargeback please. {card} / {amount} / {merchant} / {date}. I have the email from the seller admitting "
    "fault, order {order}.",
    "Quick one – does card {card_sp} still have Apple Pay on it? I removed it from my old phone on {date}.",
    "I'm locked out of everything. Card {card}, PIN {pin}, online banking password {password}. Just reset "
    "whatever you need to",
    "Had a call from 'Rho Bank security' on {phone_uk} who knew my card number ({card_sp}) and asked me to "
    "read out the code from my text. The code was {otp} and I read it out before I realised. Then {amount} "
    "left my account.",
    "hi, is {visa} my card or my husbands? the app shows both of us and i've lost track lol",
    "My daughter is at uni in {city} and wants a second card on my account. Mine is {card}. Can hers have a "
    "{amount} monthly limit?",
    "Subject: Unrecognised payments\n\nHello,\n\nThree payments to {merchant} went out on {date} from card "
    "{card_sp}: {amount}, {amount.2} and {amount.3}. I have never used this company.\n\n{name}",
    "the card reader at the petrol station kept my card ({card_dash}) in for ages and now there's a {amount} "
    "pre-auth. is that normal??",
    "Card {amex}\nAmount {amount}\nMerchant {merchant}\nProblem: refund promised on {date}, not received",
    "I was sent a replacement card {card} but I never reported my old one lost. Did someone else request it? "
    "Nobody at this address ordered it, postcode {postcode}.",
    "To whom it may concern, I wish to cancel the credit card {card_run} with effect from {date} and have "
    "the remaining balance of {amount} taken from my current account. Regards, {name}",
    "Copied from the chat window before it closed:\n\nMe: hi my card isn't working\nAgent: Sorry to hear "
    "that. Can you confirm the last 4 digits?\nMe: {last4}\nAgent: Thanks. Please never share your full card "
    "number or PIN in chat.\nMe: ok but it's {card} and pin {pin} if that helps\n[Chat disconnected at "
    "{time}]\n\nCan someone pick this up? Ticket {ticket}.",
]

IBAN_TEMPLATES = [
    "I need to add a new payee. Name: {name}, IBAN: {iban}, BIC {bic}. It's for my rent, {amount} every "
    "month.",
    "Hi, I sent {amount} to {iban_sp} on {date} but the recipient says nothing arrived. The reference I used "
    "was {ticket}.",
    "Dear Rho Bank, please transfer {amount} to my account at the Sparkasse, IBAN {iban_DE}. I am moving "
    "back to Germany next month. Mit freundlichen Grüßen, {name}",
    "wire transfer stuck? sent {amount} to {iban} ({name}) on {date}, the app still says pending. your site "
    "said 1-2 business days",
    "Beneficiary name: {name}\nBeneficiary IBAN: {iban}\nBank: {company}\nAmount: {amount}\nPayment "
    "reference: {badiban}\nPurpose: invoice {invoice}",
    "The IBAN you have on file for me is wrong. Old: {iban_GB.1}. New: {iban_GB.2}. Please update it before "
    "my salary goes in on {date}.",
    "can you check this iban is right before i send? {iban_lc}  it's my landlord's in {city}",
    "Hello HR said I need to give them my IBAN for the salary, where do I find it? Is it {iban_GB}? The app "
    "also shows sort code {sort} and account number {acct}, which one do they need?",
    "Getting 'invalid IBAN' when I try to pay {iban_sp}. I copied it exactly from the invoice ({invoice}). "
    "Error code {errcode}.",
    "Returned payment. I paid {amount} to {iban} and it came back {days} days later with reason 'AC01 "
    "incorrect account number'. I triple checked it. Ref on the return: {txn}.",
    "Hello, I want send money to my mother in Poland. Her IBAN is {iban_PL}. How much is the fee for "
    "{amount}? Is more cheap if I send in euro or zloty?",
    "Please move {amount} from my euro account {iban_IE.1} to my other account {iban_IE.2}. Both are mine.",
    "I have a standing order to {iban_FR} for {amount} on the {dayofmonth} of every month. Can you cancel it "
    "from {date}?",
    "The supplier sent two numbers: {iban} and something labelled 'Ref: {badiban}'. Which one goes in the "
    "IBAN box?",
    "Subject: Payment to {company}\n\nHi,\n\nWe need to pay our supplier in Spain. Their details: IBAN "
    "{iban_ES}, SWIFT {bic}. Amount {amount}, invoice {invoice} dated {date}.\n\nKind regards\n{name}\n"
    "Finance, {company}\n{phone}",
    "Is it normal that a scammer knows my IBAN? Someone emailed me from {email} saying they'd 'refund' "
    "{amount} to {iban_GB} if I click a link.",
    "Bank details as requested:\nAccount holder: {name}\nIBAN: {iban_sp}\nBIC: {bic}\nBank address: "
    "{street}, {city}",
    "You've REJECTED my transfer to {iban} for the 2nd time. it's my own account in {country}. {amount}. "
    "What is the problem???",
    "sent money to the wrong iban!!! should have been {iban.1} but i pasted my old landlord's {iban.2} by "
    "mistake. can you recall it. amount was {amount}, sent at {time}",
    "Hi! Could you confirm the IBAN for my Rho savings account? I see {iban_GB} in the app but my employer's "
    "form only has 22 boxes and it won't fit with the spaces.",
    "My apologies for my English. I want to receive my pension from the Netherlands into my Rho account. The "
    "pension office asks for my IBAN and they say {iban_NL} is not mine?? That is my Dutch account from "
    "before.",
    "Buongiorno, I need a refund from a company in Italy, they ask me for IBAN but they gave me their IBAN "
    "instead: {iban_IT}. Can I pay them from here? What is the fee?",
    "International wire: beneficiary {name}, {iban_CH}, Zurich. {amount}. Purpose: tuition for the {year} "
    "semester. Please confirm when sent.",
    "I'm trying to set up a direct debit for my gym in Belgium, they registered {iban_BE} as the creditor "
    "account? I don't understand what SEPA mandate ID {mandate} means.",
    "hello do you accept incoming transfers from {iban_AT}? my aunt in Vienna wants to send me {amount} for "
    "my birthday",
    "Payment to {iban_sp} was marked as 'possible fraud' and held. It's legit! it's my daughter's uni "
    "account in {city}. Please release it, ref {ticket}",
    "Trying to send {amount} to {iban}, the app asked for a code and I entered {otp} but it says expired. "
    "Got another one: {otp.2}. Still not working.",
    "iban {iban_lc}\nname {name}\namount {amount}\npls send today, it's the deposit for the flat",
    "Our company account needs to pay three suppliers:\n- {company}: {iban_eu.1}, {amount}\n- {company.2}: "
    "{iban_eu.2}, {amount.2}\n- {company.3}: {iban_eu.3}, {amount.3}\nCan this be done as one bulk payment?",
    "Why was I charged {amount} for receiving a SEPA transfer into {iban_GB}? The sender paid all fees.",
    "Hi I live in Portugal half the year. Is it possible to link my Portuguese account {iban_PT} so I can "
    "move money without the international fee?",
    "i keep getting 'beneficiary bank not reachable' for {iban_SE} — is Sweden not supported? tried on "
    "{date} and {date.2}",
    "The company I work for in Denmark will pay me into {iban_DK} from {month}. Can I then transfer to my "
    "Rho current account for free?",
    "SWIFT payment received? Sender: {name}, from {iban_NO}, {amount}, value date {date}. I can't see it "
    "yet.",
    "hey, quick one. my Finnish account {iban_FI} closes next week, can I send the last {amount} here "
    "without it getting stuck?",
    "Dear team, Please find below the details for the refund of my deposit: IBAN {iban_LU}, holder {name}. "
    "The amount agreed was {amount}. Best regards",
    "I made a mistake, I wrote the IBAN {iban_sp} on the form but the payment reference {badiban} in the "
    "IBAN box. Is it going to fail?",
    "Hello,\n\nI am writing from {city} where I study since {year}. My parents send me money every month "
    "from their bank in Spain, normally {amount}. This month the money did not arrive. My father says the "
    "bank sent it on {date} to my IBAN {iban_GB}, and they gave him the reference {badiban} for the "
    "transfer. I check my app every day and there is nothing. Maybe there is a problem with the name? In "
    "Spain my name is written with two surnames.\n\nTheir account is {iban_ES} if you need to check with "
    "them. My phone is {phone_mob}.\n\nThank you so much for your help.",
]

ACCOUNT_TEMPLATES = [
    "Please can you tell me why my salary hasn't arrived. My account number is {acct} and sort code {sort}. "
    "My employer says it was sent on {date}.",
    "Full name: {name}\nDate of birth: {dob}\nAccount number: {acct}\nSort code: {sort}\nNew address: "
    "{street}, {city} {postcode}",
    "Set up a new payee for me please — {name}, sort {sort}, acc {acct}. it's for my builder, {amount}.",
    "I gave my employer the wrong account number!! I gave them {acct.1} instead of {acct.2}. Will the money "
    "bounce back?",
    "Hello dear, I'm trying to pay my grandson {amount} for his birthday. His bank is different to mine. He "
    "wrote down sort code {sort} and account {acct}. Is that enough for me to send it?",
    "Confirmation of Payee said 'no match' for {name}, sort code {sort}, account number {acct}. I've paid "
    "them before. Should I go ahead?",
    "I've got a cheque for {amount} made out to me, cheque number {chequeno}. Can I pay it into account "
    "{acct} using the app? The cheque is dated {date}.",
    "My account {acct} at sort code {sort} is showing a negative balance of {amount} but I had {amount.2} "
    "yesterday",
    "acct no. {acct} - overdraft fee of {amount} charged on {date}, i was only overdrawn for {count} hours",
    "Please close my savings account, number {acct}, and move the balance to my current account, number "
    "{acct.2}.",
    "Direct deposit form asks for routing and account number. Is it {routing} for routing? And my checking "
    "account number is {acct_us}, right?",
    "I received an ACH of {amount} from my employer but it went to my old checking account {acct_us}. "
    "Routing number there is {routing}. Can you reverse it?",
    "Need to wire {amount} to my title company for closing on {date}. Their wire instructions: ABA "
    "{routing}, account {acct_us}, beneficiary {company}. Is this legit? They emailed it from {email}.",
    "Hi there - setting up Zelle, it asks for my routing # which I think is {routing}? and my acct # "
    "{acct_us}. thx",
    "Subject: Change of bank details for payroll\n\nHi,\n\nPlease pay my salary into my new Rho account from "
    "next month:\nSort code: {sort}\nAccount number: {acct}\n\nMany thanks,\n{name}\nEmployee ID {empid}",
    "Someone called saying they're from Rho and read back my sort code {sort} and the last four of my "
    "account ({last4}). They wanted me to move money to a 'safe account' {acct} at sort code {sort.2}. I "
    "didn't.",
    "My routing number shows {routing} in the app, but my paper checks say something else. Which is right "
    "for my tax refund? Checking account {acct_us}.",
    "I need a letter confirming my account details for my new landlord: account number {acct}, sort code "
    "{sort}, opened in {year}.",
    "My mortgage payment of {amount} was due on {date} but failed. It's taken from account {acct}, sort code "
    "{sort}. Mortgage ref {loanref}. Please don't mark me as late.",
    "Hi I'm sending money from my other bank to Rho, they need your routing number — is it {routing}? My "
    "account here is {acct_us}.",
    "Bank name: Rho Bank\nABA routing: {routing}\nAccount #: {acct_us}\nAccount type: checking\nName: {name}",
    "My tax refund went to routing {routing} but the wrong account. The IRS says they can't fix it. Can you?",
    "my employer's payroll portal rejected routing number {routing} with 'invalid ABA'. I copied it off your "
    "website. what gives",
    "Wire from my brokerage: they want RTN {routing} and 'for further credit to' {name}, account {acct_us}.",
    "An ACH debit from {company} hit my account {acct_us} for {amount}. Never authorised. Their company ID "
    "is {achid}. Routing on the debit shows {routing}.",
    "Can I pay my car loan from my US checking? Routing {routing}, account {acct_us}. Monthly payment "
    "{amount}.",
    "sort code: {sort}\naccount: {acct}\nthat's my details for the refund you promised on the phone, "
    "complaint {ticket}",
    "We're a small charity and changing banks. Old account {acct.1} (sort code {sort.1}), new account "
    "{acct.2} (sort code {sort.2}). How do we move the standing orders?",
    "Good afternoon. My late husband's account number was {acct}. I have the death certificate and would "
    "like to know what to bring to the branch in {city}.",
    "I opened a savings account last week, number {acct}, and the interest rate shows {pct} instead of the "
    "{pct.2} advertised.",
    "Hello, my account number is {acct_us} and I need the routing number for wires. Is it {routing} or a "
    "different one for international?",
    "Can you send my account details by text to {phone_mob}? Actually never mind — it's sort code {sort}, "
    "account {acct}. I just need to know the branch address.",
    "Subject: Formal complaint – payment to a fraudster\n\nDear Rho Bank,\n\nOn {date} I received a call "
    "from someone claiming to be from your fraud department. They knew my name, my address in {city} and the "
    "last four digits of my card ({last4}). They said my account had been compromised and that I needed to "
    "move my savings to a 'safe account' in my own name. I transferred {amount} to sort code {sort}, account "
    "number {acct}, reference {refdash}, at about {time}.\n\nI realised the next morning that it was a scam "
    "and called you straight away; the call reference was {ticket}. Nobody has called me back. I have "
    "reported it to Action Fraud (crime reference {fileno}).\n\nMy own account details are sort code "
    "{sort.2}, account {acct.2}. Please call me on {phone_uk} or email {email}.\n\nYours sincerely,\n{name}",
    "To whom it may concern:\n\nI am writing on behalf of my mother, {name}, who is {age} and lives in "
    "assisted living in {uscity}, {state}. I hold durable power of attorney (notarized {date}). Her Social "
    "Security number is {ssn} and her checking account with you is {acct_us}. Her pension comes in by ACH "
    "from routing number {routing}.\n\nWe noticed {count} withdrawals of {amount} at an ATM she cannot "
    "physically get to. Please freeze the debit card ending {last4} and send a replacement to me. I can be "
    "reached at {phone_us} or {email}.\n\nSincerely,\n{name.2}",
]

ID_TEMPLATES = [
    "To verify my identity on the phone your colleague asked for my National Insurance number. It's {nino}. "
    "Can you save it on my record so I don't have to keep giving it?",
    "I'm applying for the loan and the form wants my SSN but won't accept the dashes. It's {ssn}. Also my "
    "income is {amount} a year.",
    "Name: {name}\nSSN: {ssn}\nDOB: {dob}\nAddress: {street}, {uscity}, {state} {zip}\nPhone: {phone_us}",
    "My NI number is {nino} and HMRC says the interest on my savings wasn't reported for tax year {taxyear}.",
    "Hi, fraud alert — someone opened a credit card in my name using my social security number {ssn}. I got "
    "a letter for a card ending {last4}. I did NOT apply.",
    "ni no: {nino}. sorry, you asked for it in the last chat",
    "Opening an ISA — do I need to give my national insurance number here? It's {nino}. I want to put in "
    "{amount} before {date}.",
    "Identity theft. They have my SSN ({ssn}), my email ({email}) and my phone number ({phone_us}). What do "
    "I do first?",
    "My National Insurance no. has changed?? The app shows {nino.1} but my payslip says {nino.2}.",
    "Credit check failed, I think because the bureau has my SSN wrong. The correct one is {ssn}. Their "
    "reference: {ticket}.",
    "Opening a joint account with my wife. Her SSN is {ssn} and mine is {ssn.2}. We want it linked to my "
    "existing checking account {acct_us}.",
    "I'd like to apply for a personal loan of {amount} over {count} years. My SSN is {ssn}, annual income "
    "{amount.2}, employer {company}.",
    "Mortgage application: {name}, NI number {nino}, current account {acct}, sort {sort}. Property price "
    "{amount}, deposit {pct}.",
    "W-9 question: you asked for my taxpayer ID. I'm self-employed with no EIN, so it's just my SSN, {ssn}. "
    "Is that OK?",
    "For the pension transfer form:\nNational Insurance: {nino}\nDate of birth: {dob}\nPostcode: {postcode}",
    "Please note my social is {ssn}, not the one on the letter you sent on {date} — that one is wrong.",
]

CONTACT_TEMPLATES = [
    "Please update my email address to {email}. The old one ({email.2}) was hacked.",
    "can you change my mobile number to {phone_mob}? lost my old phone and can't get the texts.",
    "New contact details:\nEmail: {email}\nMobile: {phone}\nHome: {phone_ldn}\nAddress: {street}, {city}, "
    "{postcode}",
    "Hi, please call me back on {phone} between {time} and {time.2}, about the complaint {ticket}.",
    "I moved to {uscity}, {state} {zip}. New number is {phone_us}. Please don't send anything to the old "
    "address.",
    "I live in Australia now. My number is {phone_au}. Please note the time difference, I'm [[9|10|11]] "
    "hours ahead.",
    "Bonjour, I am in France for work for {count} months. If you need to reach me: {phone_fr}. My email "
    "stays {email}.",
    "You keep texting the wrong number. Mine is {phone_mob}, not whatever number you have ending in {last4}.",
    "Re: {ticket}\n\n--\n{name}\nSenior Accountant | {company}\nT: {phone_ldn}\nM: {phone_mob}\nE: {email}\n"
    "{street}, London",
    "Why did someone change my email to {email} on {date} at {time}? That was not me. My real one is "
    "{email.2}.",
    "my husband's number is {phone} and he's allowed to talk about the joint account, can you add him",
    "ring me\n{phone}",
    "I'm in Toronto now, my Canadian cell is {phone_us}, please use that instead of the UK one.",
    "The verification email isn't arriving at {email}. Checked spam. Tried {count} times since {time}.",
    "Please can you send the paperwork to {email} instead of posting it, I'm away until {date}.",
    "Contact me at {email} or {phone}. Do not use the landline, it's been disconnected.",
    "My son manages my affairs now. His number is {phone_uk} and his email is {email}. I am {age} and find "
    "the telephone menus difficult.",
    "Hello, my phone number changed. Old {phone_mob.1}, new {phone_mob.2}. Please update.",
    "pls email the statement to {email}!!",
    "Hi - I'm the office manager at {company}. Best number for the business team to reach me is {phone_ldn} "
    "(ext. {count}0) or mobile {phone_mob}.",
    "Can you confirm you have my correct email? It should be {email}, but I got a letter addressed to "
    "{name} at my postcode {postcode}.",
    "I've been getting calls from {phone} claiming to be Rho Bank fraud team. Is that your number?",
    "Over in Sydney for six months. Reach me on {phone_au} or by email, {email}.",
    "From: {email}\nTo: support\nSubject: address change\n\nNew address: {street}, {city} {postcode}. Moved "
    "in on {date}.",
]

CREDENTIAL_TEMPLATES = [
    "I can't log in. The text code was {otp} but it said incorrect. Then it locked me out for {count}0 "
    "minutes.",
    '"Your one-time passcode for Rho Bank is {otp}. Do not share this code." ^ got this but I\'m not logging '
    "in, is someone in my account?",
    "Forgot my password. The old one was {password} I think, it doesn't work anymore. Username is "
    "{username}.",
    "locked out after entering the wrong password {count} times. My password is {password} and i KNOW it's "
    "right",
    "hi i changed my PIN at the ATM to {pin} but the card still gets declined in shops saying incorrect PIN",
    "What's this code for? I got {otp} by text while I was asleep at {time}. I'm worried.",
    "My daughter set up the app and wrote my password on a card for me: {password}. Now it says my password "
    "is wrong. I have not changed anything.",
    "The verification code isn't working: {otp}. It says 'code expired' but it came {count} minutes ago.",
    "pin {pin} doesn't work at the machine, I've only had the card since {date}",
    "Username: {username}\nPassword: {password}\nProblem: stuck on the 'verifying device' screen, app "
    "{version}",
    "Got two codes: {otp.1} and then {otp.2} a minute later. Which one do I use?",
    "I think I gave my PIN ({pin}) to a scammer on the phone, along with the one-time code {otp}. Please "
    "freeze my card.",
    "My new PIN letter said {pin} but the card was blocked after {count} tries. Is it because the PIN on the "
    "letter is different from the one I chose?",
    "security code from the app: {otp}. your colleague in chat asked me to paste it here",
    "I set my password to {password} yesterday and today it says 'password does not meet requirements'. It "
    "has a capital, a number and a symbol!!",
    "Trying to reset my password, the reset email went to {email}, but I don't have access to that any more. "
    "The SMS code to {phone_mob} never arrives.",
    "Hello, I forget my PIN. I think it was {pin} or {pin.2}. I try both and now card is block. What I can "
    "do?",
    "Google Authenticator shows {otp} for Rho but the website says invalid. The clock on my phone is right.",
    "Hi, I received an email asking me to confirm my password by replying. I replied with {password} before "
    "I realised. The email came from {email}. Please help!!",
    "PIN: {pin}\nCard: {card}\nWhat else do you need to unblock it",
    "the 6 digit code is {otp}",
    "I typed {otp} from the SMS and the payment of {amount} to {merchant} still failed. Card ending {last4}.",
    "pass: {password}  user: {username} — pls just log in and fix my standing order, I'm at work",
    "Reset my PIN to {pin} please, my old one is too easy to guess",
    "My password {password} has stopped working since your update on {date}.",
    "i think my ex knows my password ({password}). can you force a reset and log out all devices",
    "Changed it to {password} but the app keeps asking for the old one. Version {version}.",
    "The shop assistant definitely saw me enter {pin}. Should I change my PIN?",
    "Can I choose my own PIN on the new card? I'd like {pin} like before.",
    "Verification code: {otp}\nThat's what came through. The website then showed error {errcode}.",
    "your OTP {otp} was sent to my old number and my neighbour read it to me. I should change the number "
    "on file to {phone_mob}.",
    'password is "{password}" (without the quotes). it worked last week on the laptop, not the phone',
    "Dear Sir, I have been sent a passcode {otp} and a new PIN, {pin}, but I did not order a new card. "
    "Please investigate. {name}",
    "Tried logging in with {password} — 'incorrect details'. Then with the code {otp} — 'too many "
    "attempts'. Help",
    "my online banking password was {password} and now my account shows {count} logins from {city} that "
    "weren't me",
    "I'm an old lady and my PIN is {pin}, I wrote it on a piece of paper in my purse and my purse is gone",
]

NEAR_MISS_TEMPLATES = [
    "Hi, I was charged {amount} twice on {date} at {merchant}. Card ending {last4}. Can you refund one?",
    "My case number is {ticket}, please can someone update me? It's been {days} days.",
    "Order {order} hasn't arrived and the seller won't answer. I paid {amount} on {date} with my card "
    "{masked}.",
    "I forgot my PIN[[.|!| again.|, sorry.]] How do I get a [[reminder|new one|PIN reminder]]?",
    "My password is wrong apparently, even though I haven't changed it since {year}. Can you help?",
    "What's the interest rate on the fixed saver? Your site says {pct} but the app says {pct.2}.",
    "Transaction {txn} has been pending since {date} {time}. Amount {amount}.",
    "Login from IP {ip} on {date} at {time} — not me! I'm in {city}. (I haven't shared my password with "
    "anyone.)",
    "The app crashes on version {version} when I open statements. iPhone, iOS {iosver}.",
    "Tracking number {tracking} — is this my new card? It says delivered but nothing came.",
    "Invoice {invoice} for {amount} was paid on {date} but the supplier says they didn't get it. Reference "
    "{refdash}.",
    "I need a statement for {year} for my tax return. Postcode on the account is {postcode}.",
    "Claim {claim}: I sent the photos on {date}. Still waiting.",
    "the reference on the transfer was {badiban} and the recipient says it's not showing. it was {amount}",
    "Got a letter with reference {refdash} about my overdraft. What does it mean? My limit is {amount}.",
    "Why is there a {amount} fee on {date}? I made {count} transfers this month and the limit is 10.",
    "xxxx-xxxx-xxxx-{last4} was declined at {merchant}. I have {amount} in the account.",
    "Do you accept cheques written before {year}? I've got an old one from my aunt, cheque no. {chequeno}, "
    "for {amount}.",
    "Hi, what's the daily ATM limit? I need to withdraw {amount} on {date}.",
    "my mortgage rate is going from {pct} to {pct.2} on {date}, that's an extra {amount} a month. any "
    "options?",
    "The card reader gave error {errcode} when I tried to set up my PIN. Card ending {last4}.",
    "Got a text from {shortcode} saying my account is suspended. Is this real? I didn't click the link.",
    "Transfer reference: {txn}\nAmount: {amount}\nDate: {date}\nStatus: Returned\nWhy??",
    "Our business account had {count} failed payments yesterday, all around {time}. Batch ID {batchid}.",
    "I want to complain. Complaint reference {ticket}. I was on hold for {count}5 minutes.",
    "The refund reference the shop gave me is {badcard}. Can you see it on your side?",
    "The card number on the letter is masked as {masked}. Is that my new card or my old one?",
    "How many times can I get the PIN wrong before it's blocked? I'm on {count}.",
    "I never received the one-time code. Tried {count} times. Signal is fine.",
    "Changing my password keeps failing with error {errcode}. I'm on app {version}.",
    "Loan agreement {loanref}: I want to overpay {amount}. Is there a fee above {pct}?",
    "Payments on {date_dash} and {date_dash.2} were both taken. Only one was meant to go out.",
    "Did my sort code change when you merged branches in {year}? Do I need to tell my employer?",
    "Account number or IBAN — which one do I give to someone in Spain? I don't want to give out the wrong "
    "one.",
    "Your letter about my euro payment quotes reference {badiban}. What is it for?",
    "we are a small business with {count}0 employees and want to run payroll through Rho, what's the fee? "
    "roughly {amount} per month in salaries",
    "Serial number of the card reader: {serial}. It won't turn on.",
    "Postcode {postcode} isn't recognised by the address finder. It's a new build.",
    "The ATM on {street} ate my card at {time}. Machine ID {atmid}. I got no receipt.",
    "I'm {age} and want to open a junior ISA for my grandson born in {year}. How much can I put in? "
    "{amount}?",
    "Quote ref {refdash} says {pct} APR for {amount} over {count}6 months. Is that fixed?",
    "hello\nanyone there\nit's been 20 minutes\nticket {ticket}",
    "Please quote ref {refdash} in any reply. Our file number is {fileno}.",
    "Salary of {amount} arrived on {date} but only {amount.2} shows as available. Why?",
    "I'd like to increase my overdraft from {amount} to {amount.2}.",
    "What's your SWIFT code? I need it for a transfer from Canada. Amount around {amount}.",
    "Why does my statement show a payment to {merchant} with reference {badcard}?",
    "Does my password need a special character? Mine has 1{count} characters and it's still rejected.",
    "I can't remember if I set a PIN for the new card. The PIN letter hasn't arrived (posted {date}).",
    "The [[OTP texts|security codes|one-time codes]] come from a different sender each time. Is that normal?",
    "My card was retained at the {city} branch on {date}. The branch said to ring the number on the back.",
    "Which sort code do I use for the branch in {city}? Your website lists two.",
    "Hi, the form asks for 'account number ending' — is that {last4}? Sorry, new to this.",
    "Dear Rho Bank, I am {age} years old and do not use the computer. Please send my statements by post to "
    "my address in {city} ({postcode}) as before. The reference on your last letter was {refdash}. Thank "
    "you.",
    "{days} DAYS and no replacement card!!! Order {order}, dispatched on {date} supposedly. Unacceptable.",
    "Cheque {chequeno} for {amount} bounced. The date on it is {date}. What happens now?",
    "The 16-digit number on my statement, {badcard} — what is it? It's not my card number.",
    "Wire transfer of {amount} to Germany on {date}, UETR {uetr}. Not received.",
    "The verification code didn't come; it says it was sent to the number ending {last4}.",
    "the app says 'session expired' every {count} minutes. version {version}, android {androidver}.",
    "Is {pct} the best rate you can do on a {count}-year fix? Property value {amount}.",
    "I don't want to give my National Insurance number over chat. Can I come into the branch on {date}?",
    "Transaction ID {txn} – double charge. Merchant ref {refdash}.",
    "I want to cancel the direct debit to {merchant}, mandate reference {mandate}.",
    "Payment reference {badiban} / amount {amount} / beneficiary {company} — has it gone through?",
    "The PIN and the card were posted on {date}. Neither has arrived. Postcode {postcode}.",
    "My password reset link expires in {count} hours but I'm travelling. Flight {flight} lands at {time}.",
    "US customer here — what's the wire cutoff time? {time} ET? I need to send {amount} today.",
    "Statement for {month} {year} shows {count} payments of {amount} to {merchant}. I only ordered once.",
    "Hi there! Loving the new app but the balance takes {ms} ms to load lol. app {version}",
    "Mortgage reference {loanref}. We want to port it to a new house in {city}, completion around {date}.",
    "I paid in a cheque on {date} for {amount}. Cheque number {chequeno}. When will it clear?",
    "my pin [[isn't working|doesnt work|is not working any more|keeps getting rejected]][[| :(|!!]]",
    "The [[chat bot|assistant on the website|man on the phone]] asked for my password. I didn't give it. "
    "Is that normal???",
    "Received {amount} from {name} with the reference {refdash}. I don't know this person. Should I send it "
    "back?",
    "Can I open an account with a US passport? I've lived in the UK since {year}.",
    "Error {errcode} when adding a payee. Tried at {time} and again at {time.2}.",
    "Fraud claim {claim} was closed without a reply. I disputed {amount} on {date}.",
    "Card {masked} expired {expiry}. Where is my new one?",
    "I have {count} accounts with you and want to combine them into one. Is there a fee?",
    "Ticket {ticket}\nCustomer says transfer of {amount} on {date} at {time} failed. Recipient bank: "
    "{company}. Reference: {txn}.",
    "Instalment {count} of 12 for loan {loanref} was taken twice, {amount} each, on {date}.",
    "What's the phone number for the fraud team? The one on the [[card|back of my card|letter]] is hard to "
    "read.",
    "My mother has dementia and I have power of attorney, registered on {date}, reference {refdash}. How do "
    "I register it with you?",
    "The mobile app shows {pct} cashback but I only received {amount}. Purchase at {merchant} on {date}.",
    "Accessibility request: can statements be sent in large print (size {count}0)? Thanks, {name}",
    "Can I see login history? I saw a sign-in from {ip} at {time} yesterday.",
    "Loan quote: {amount} over {count}0 months at {pct}. Reference {refdash}. Can I lock this in?",
    "I need proof of the wire to {company}: it was {amount} on {date}, reference {uetr}.",
    "My {year} tax statement says interest of {amount} but my own records show {amount.2}.",
    "Hello, my card has been declined {count} times today. It ends in {last4}. There's definitely money "
    "in the account.",
    "Delivery note says {tracking}. The envelope was open. Was anything inside it?",
    "Our invoice {invoice} (PO {refdash}) was paid to the old supplier account by mistake, {amount}. Can it "
    "be recalled?",
    "Why do I need a [[one-time passcode|verification code|text code]] every time I log in? It's "
    "[[annoying|so annoying|a pain when I'm abroad]].",
    "Sorting out my late father's estate. Probate reference {fileno}. Which documents do you need?",
    "My customer number is {custno}, if that helps. The app won't load my statements since {date}.",
    "Membership number {custno} for the credit union account I'm moving from. Can you take over the "
    "standing orders?",
    "The website says to use code WELCOME{count}0 for the switching bonus but it says invalid. I switched on "
    "{date}.",
    "Is it true the new cards need a 6-digit PIN? My old one was 4 digits.",
    "I tweeted @RhoBankHelp {count} days ago and nobody replied. Ticket {ticket}.",
    "The password box won't let me type more than 20 characters. Is that a limit on your side?",
    "Branch {city}, queue number {count}{count}, waited {days} minutes. Then told to phone instead.",
    "My salary goes in on the {dayofmonth}; my rent of {amount} goes out on the 1st. Can I move the rent "
    "date to {date}?",
    "App shows 'Error {errcode}: device not trusted' on a Pixel running Android {androidver}. Reinstalled "
    "{count} times.",
    "Cheque book request: I need {count} cheque books, 30 leaves each. Last cheque number used: {chequeno}.",
    "Hi,\n\nLong story, sorry. Back in {month} I took out a loan ({loanref}) for {amount} to pay for a new "
    "boiler. The installer ({company}) went bust in {year} before finishing the job and the boiler has now "
    "failed {count} times. Invoice {invoice} shows I paid a deposit of {amount.2} on {date}. I raised claim "
    "{claim} with you under section 75 on {date.2} and was told it would take 8 weeks. It has now been "
    "{days} days. Reference numbers from your letters: {refdash} and {refdash.2}. The engineer's report is "
    "dated {date.3}.\n\nCould someone please tell me what is happening? I'm happy to send photos.\n\nThanks",
    "Things I've tried so far (app {version}, iOS {iosver}):\n1. reinstalled the app\n2. reset my password "
    "(twice)\n3. waited for the code, nothing came\n4. rang the number on the card at {time}, on hold {days} "
    "min\nStill locked out. Ticket {ticket}.",
]

TEMPLATES = (
    CARD_TEMPLATES
    + IBAN_TEMPLATES
    + ACCOUNT_TEMPLATES
    + ID_TEMPLATES
    + CONTACT_TEMPLATES
    + CREDENTIAL_TEMPLATES
)
TEMPLATES += NEAR_MISS_TEMPLATES

# ----------------------------------------------------------------------------------------------------------
# Rendering and checking.
# ----------------------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)(?:\.(\d+))?\}")
CHOICE = re.compile(r"\[\[(.+?)\]\]", re.S)
Span = dict[str, object]


def field(name: str) -> tuple[str | None, Gen]:
    if name in FIELDS:
        return FIELDS[name]
    m = re.fullmatch(r"iban_([A-Z]{2})", name)
    if m and m.group(1) in IBAN_BBAN:
        return "iban", gen_iban(m.group(1))
    raise KeyError(f"unknown field {{{name}}}")


def render(template: str, rng: random.Random) -> tuple[str, list[Span]]:
    template = CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    parts: list[str] = []
    spans: list[Span] = []
    values: dict[tuple[str, str], str] = {}
    pos = length = 0
    for m in PLACEHOLDER.finditer(template):
        literal = template[pos : m.start()]
        parts.append(literal)
        length += len(literal)
        name, key = m.group(1), (m.group(1), m.group(2) or "")
        pii_type, gen = field(name)
        if key not in values:
            taken = {v for (n, _), v in values.items() if n == name}
            value = gen(rng)
            while value in taken:
                value = gen(rng)
            values[key] = value
        value = values[key]
        if pii_type is not None:
            spans.append({"type": pii_type, "start": length, "end": length + len(value)})
        parts.append(value)
        length += len(value)
        pos = m.end()
    parts.append(template[pos:])
    return "".join(parts), spans


def span_errors(text: str, spans: list[Span]) -> list[str]:
    """Mistakes in the labels themselves: these are bugs in this script, never retried."""
    errors = []
    previous_end = 0
    for span in spans:
        kind, start, end = str(span["type"]), int(str(span["start"])), int(str(span["end"]))
        value = text[start:end]
        if kind not in CHECKS:
            errors.append(f"unknown type {kind}")
            continue
        if start < previous_end:
            errors.append(f"overlap at {start}")
        previous_end = end
        if not value or value != value.strip() or not CHECKS[kind](value):
            errors.append(f"{kind} {value!r} fails its check")
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        after2 = text[end + 1] if end + 1 < len(text) else " "
        if before.isalnum() or before in "_@+" or after.isalnum() or after in "_@":
            errors.append(f"{kind} {value!r} is part of a longer token")
        if after in ".-/" and after2.isalnum():
            errors.append(f"{kind} {value!r} runs on into {after}{after2}")
    return errors


def leaks(text: str, spans: list[Span]) -> list[str]:
    """Unlabelled text that would pass a type's check: the render is drawn again."""
    chars = list(text)
    for span in spans:
        for i in range(int(str(span["start"])), int(str(span["end"]))):
            chars[i] = "\x00"
    rest = "".join(chars)
    found = []
    for m in re.finditer(r"\d+(?:[ -]\d+)*", rest):
        groups = re.split(r"[ -]", m.group())
        for i in range(len(groups)):
            run = ""
            for g in groups[i:]:
                run += g
                if len(run) > 19:
                    break
                if len(run) >= 13 and card_brand(run) and luhn_ok(run):
                    found.append(f"card-like {run}")
    for m in re.finditer(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){8,34}", rest):
        compact = m.group().replace(" ", "").upper()
        cc = compact[:2]
        if cc in IBAN_LEN and iban_valid_compact(compact[: IBAN_LEN[cc]]):
            found.append(f"iban-like {m.group()}")
    if re.search(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}", rest):
        found.append("email-like")
    fiction = re.compile(
        r"7700900\d{3}|79460\d{3}|4960\d{3}|55501\d\d|5550\d{4}|7010\d{4}|491570|63998|19900"
    )
    for m in re.finditer(r"\+?[\d(][\d ().+-]*\d", rest):
        if fiction.search(re.sub(r"\D", "", m.group())):
            found.append(f"phone-like {m.group()}")
    for m in re.finditer(r"(?<![\d-])\d{9}(?![\d-])", rest):
        if is_routing(m.group()):
            found.append(f"routing-like {m.group()}")
    if re.search(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])", rest):
        found.append("ssn-like")
    for m in re.finditer(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?![A-Za-z0-9])", rest):
        if is_nino(m.group()):
            found.append(f"nino-like {m.group()}")
    return found


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    messages: list[tuple[str, list[Span]]] = []
    seen: set[str] = set()
    for index, template in enumerate(TEMPLATES):
        for _ in range(RENDERS):
            duplicates = 0
            for _attempt in range(MAX_TRIES):
                text, spans = render(template, rng)
                errors = span_errors(text, spans)
                if errors:
                    raise SystemExit(f"template {index}: {errors}\n{text}")
                if text in seen:
                    duplicates += 1
                    if duplicates >= 25:
                        break
                    continue
                if not leaks(text, spans):
                    seen.add(text)
                    messages.append((text, spans))
                    break
            else:
                raise SystemExit(f"template {index} leaks on every render:\n{template}")
            if duplicates >= 25:
                break  # a template with little to vary: fewer renders
    rng.shuffle(messages)
    return [{"id": f"h{i:04d}", "text": t, "pii": s} for i, (t, s) in enumerate(messages, start=1)]


def main() -> None:
    records = build()
    with OUT.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    # Read the file back and check it as a consumer would.
    spans_per_type: Counter[str] = Counter()
    messages_per_type: Counter[str] = Counter()
    empty = 0
    lines = OUT.read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"id", "text", "pii"}, record
        text, pii = record["text"], record["pii"]
        assert not span_errors(text, pii), (record["id"], span_errors(text, pii))
        assert not leaks(text, pii), (record["id"], leaks(text, pii))
        assert [p["start"] for p in pii] == sorted(p["start"] for p in pii)
        spans_per_type.update(p["type"] for p in pii)
        messages_per_type.update({p["type"] for p in pii})
        empty += not pii
    assert len({json.loads(line)["id"] for line in lines}) == len(lines)

    print(f"templates: {len(TEMPLATES)} ({len(NEAR_MISS_TEMPLATES)} with near misses only)")
    print(f"messages: {len(lines)}, with no labelled value: {empty}")
    print(f"{'type':<16}{'spans':>7}{'messages':>10}")
    for kind in TYPES:
        print(f"{kind:<16}{spans_per_type[kind]:>7}{messages_per_type[kind]:>10}")
    print(f"{'total':<16}{sum(spans_per_type.values()):>7}{len(lines) - empty:>10}")
    short = [k for k in TYPES if spans_per_type[k] < MINIMUM[k]]
    if short or len(lines) < 700 or empty < 200 or len(TEMPLATES) < 150:
        sys.exit(f"below the minimum counts: {short or 'totals'}")


if __name__ == "__main__":
    main()
