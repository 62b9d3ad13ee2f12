"""Generate screening.jsonl: customer messages with labelled sensitive values, for scoring a detector.

Every message is a hand-written template in a customer's voice whose slots are filled with generated values.
Sensitive slots (card numbers, IBANs, account numbers, ...) produce values that pass the real check for their
kind (Luhn, ISO 13616 mod 97, ABA checksum, SSN and National Insurance number rules) and are recorded as
spans. Near-miss slots (amounts, dates, references, last four digits, 16-digit numbers that fail Luhn,
IBAN-shaped references with wrong check digits, ...) are filled but never labelled.

Standard library only, fixed seed: running it again writes the same file byte for byte.
Run from anywhere: `python3 benchmarks/data/make_screening_corpus.py`. See SCREENING.md.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from collections import Counter
from pathlib import Path

SEED = 20240312
OUT = Path(__file__).resolve().parent / "screening.jsonl"

TYPES = [
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
]
# Minimum instances per type; the generator tops up until every type reaches its minimum.
MINIMUM = dict.fromkeys(TYPES, 75) | {"card_number": 215, "iban": 215}
PII_MESSAGES = 930  # messages drawn from templates with sensitive slots
NEAR_MISS_ONLY_MESSAGES = 300  # messages drawn from templates with near misses only


# ---------------------------------------------------------------------------------------------------------
# Checksums and validity rules
# ---------------------------------------------------------------------------------------------------------


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


def luhn_check_digit(partial: str) -> str:
    for c in "0123456789":
        if luhn_ok(partial + c):
            return c
    raise AssertionError("unreachable")


def iban_numeric(s: str) -> int:
    return int("".join(str(int(c, 36)) for c in s))


def iban_ok(iban: str) -> bool:
    s = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    if IBAN_LENGTH.get(s[:2]) != len(s):
        return False
    return iban_numeric(s[4:] + s[:4]) % 97 == 1


def iban_from_bban(cc: str, bban: str) -> str:
    check = 98 - iban_numeric(bban + cc + "00") % 97
    return f"{cc}{check:02d}{bban}"


def aba_ok(d: str) -> bool:
    if not re.fullmatch(r"\d{9}", d):
        return False
    n = [int(c) for c in d]
    return (3 * (n[0] + n[3] + n[6]) + 7 * (n[1] + n[4] + n[7]) + (n[2] + n[5] + n[8])) % 10 == 0


def ssn_ok(s: str) -> bool:
    m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", s)
    if not m:
        return False
    area, group, serial = m.group(1), m.group(3), m.group(4)
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


NINO_FIRST_BAD = set("DFIQUV")
NINO_SECOND_BAD = set("DFIOQUV")
NINO_PREFIX_BAD = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def nino_ok(s: str) -> bool:
    compact = re.sub(r"\s", "", s).upper()
    m = re.fullmatch(r"([A-Z])([A-Z])(\d{6})([A-D])", compact)
    if not m:
        return False
    a, b = m.group(1), m.group(2)
    return a not in NINO_FIRST_BAD and b not in NINO_SECOND_BAD and a + b not in NINO_PREFIX_BAD


# ---------------------------------------------------------------------------------------------------------
# Fictional filler
# ---------------------------------------------------------------------------------------------------------

FIRST = [
    "Amara", "Tom", "Priya", "Callum", "Sofia", "Jamal", "Eilidh", "Marek", "Chloe", "Tunde", "Hannah",
    "Dev", "Lucia", "Ryan", "Mei", "Gareth", "Fatima", "Ben", "Zofia", "Liam", "Aisha", "Connor", "Ines",
    "Kwame", "Ruth", "Niamh", "Samir", "Ellie", "Jonas", "Grace", "Rosa", "Owen",
]  # fmt: skip
LAST = [
    "Okafor", "Bennett", "Shah", "MacLeod", "Romero", "Hughes", "Kowalski", "Fraser", "Adeyemi", "Patel",
    "Lindqvist", "O'Brien", "Nakamura", "Davies", "Haddad", "Clarke", "Novak", "Murphy", "Mensah", "Weber",
    "Dubois", "Garcia", "Rossi", "Jansen", "Byrne", "Thorne",
]  # fmt: skip
MERCHANTS = [
    "Bramble & Co", "QuickMart", "Northwind Coffee", "Zenith Electronics", "PixelPlay", "Harbour View Hotel",
    "FreshBasket", "StreamBox", "Orbit Air", "Maple Fitness", "TechNest", "Lumen Energy", "Parcelly",
    "GreenLeaf Grocers", "Cinder Cinemas", "BrightSpark Mobile", "Atlas Car Hire", "Velvet Pizza",
    "Kestrel Books", "Tidewater Travel",
]  # fmt: skip
UK_CITIES = ["London", "Manchester", "Leeds", "Glasgow", "Bristol", "Cardiff", "Belfast", "Edinburgh",
             "Liverpool", "Norwich", "Sheffield", "Brighton"]  # fmt: skip
STREETS = ["Elm Road", "Church Lane", "High Street", "Victoria Avenue", "Mill Lane", "Station Road",
           "Queen's Parade", "Orchard Close", "Ferry Street", "Willow Way"]  # fmt: skip
POSTCODES = ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", "LS1 4AP",
             "BS1 5TR", "G2 3AB", "CF10 1EP", "BT1 5GS", "EH1 2NG", "NR2 4PD", "L1 8JQ",
             "sw11 4nj"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BICS = ["DEUTDEFF", "BNPAFRPP", "INGBNL2A", "AIBKIE2D", "CAIXESBB", "UNCRITMM", "GEBABEBB", "NWBKGB2L"]
EMAIL_DOMAINS = ["example.com", "example.com", "example.org", "example.net", "mail.example.com",
                 "example.edu", "staff.example.org", "inbox.example", "post.example", "webmail.test",
                 "fastpost.test", "home.example.net"]  # fmt: skip

# IBAN countries: (weight, name, cities, BBAN builder)
IBAN_LENGTH = {"GB": 22, "DE": 22, "FR": 27, "ES": 24, "NL": 18, "IE": 22, "IT": 27, "BE": 16, "AT": 20,
               "PT": 25, "LU": 20, "CH": 21, "PL": 28}  # fmt: skip
COUNTRY_NAME = {"GB": "the UK", "DE": "Germany", "FR": "France", "ES": "Spain", "NL": "the Netherlands",
                "IE": "Ireland", "IT": "Italy", "BE": "Belgium", "AT": "Austria", "PT": "Portugal",
                "LU": "Luxembourg", "CH": "Switzerland", "PL": "Poland"}  # fmt: skip
COUNTRY_CITIES = {
    "GB": UK_CITIES, "DE": ["Berlin", "Hamburg", "Munich", "Cologne"], "FR": ["Paris", "Lyon", "Marseille",
    "Nantes"], "ES": ["Madrid", "Barcelona", "Valencia", "Sevilla"], "NL": ["Amsterdam", "Utrecht",
    "Rotterdam"], "IE": ["Dublin", "Cork", "Galway"], "IT": ["Milan", "Rome", "Turin", "Bologna"],
    "BE": ["Brussels", "Ghent", "Antwerp"], "AT": ["Vienna", "Graz"], "PT": ["Lisbon", "Porto"],
    "LU": ["Luxembourg"], "CH": ["Zurich", "Geneva", "Basel"], "PL": ["Warsaw", "Kraków", "Gdańsk"],
}  # fmt: skip
IBAN_WEIGHTS = {"GB": 24, "DE": 15, "FR": 12, "ES": 10, "NL": 9, "IE": 8, "IT": 7, "BE": 5, "AT": 3,
                "PT": 3, "LU": 1, "CH": 2, "PL": 2}  # fmt: skip


class State:
    """Per-message choices that several slots share (the country the message is about)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cc = rng.choices(list(IBAN_WEIGHTS), weights=list(IBAN_WEIGHTS.values()))[0]
        self.first_iban_done = False
        self.near_misses = 0
        self.near_slots: list[str] = []


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


# ---------------------------------------------------------------------------------------------------------
# Sensitive values
# ---------------------------------------------------------------------------------------------------------


def card_digits(rng: random.Random, network: str) -> str:
    if network == "visa":
        body = "4" + digits(rng, 14)
    elif network == "mastercard":
        if rng.random() < 0.2:
            body = str(rng.randint(2221, 2720)) + digits(rng, 11)
        else:
            body = str(rng.randint(51, 55)) + digits(rng, 13)
    elif network == "amex":
        body = rng.choice(["34", "37"]) + digits(rng, 12)
    elif network == "discover":
        body = rng.choice(
            ["6011" + digits(rng, 11), "65" + digits(rng, 13), str(rng.randint(644, 649)) + digits(rng, 12)]
        )
    else:
        raise ValueError(network)
    return body + luhn_check_digit(body)


def format_card(rng: random.Random, num: str) -> str:
    r = rng.random()
    if len(num) == 15:  # Amex 4-6-5
        if r < 0.35:
            return num
        sep = " " if r < 0.85 else "-"
        return sep.join([num[:4], num[4:10], num[10:]])
    if r < 0.45:
        return num
    sep = " " if r < 0.85 else "-"
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


def card(st: State, network: str | None = None) -> str:
    rng = st.rng
    if network is None:
        network = rng.choices(["visa", "mastercard", "amex", "discover"], weights=[45, 30, 12, 13])[0]
    return format_card(rng, card_digits(rng, network))


def bban(rng: random.Random, cc: str) -> str:
    if cc == "GB":
        bank = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "RHOB", "SRLG", "MONZ"])
        return bank + sort_digits(rng) + digits(rng, 8)
    if cc == "DE":
        return str(rng.randint(1, 8)) + digits(rng, 7) + digits(rng, 10)
    if cc == "FR":
        bank, branch, account = digits(rng, 5), digits(rng, 5), digits(rng, 11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        return f"{bank}{branch}{account}{key:02d}"
    if cc == "ES":
        bank, branch, account = digits(rng, 4), digits(rng, 4), digits(rng, 10)
        weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

        def dc(s: str) -> str:
            r = 11 - sum(int(c) * w for c, w in zip(s, weights, strict=True)) % 11
            return "0" if r == 11 else "1" if r == 10 else str(r)

        return bank + branch + dc("00" + bank + branch) + dc(account) + account
    if cc == "NL":
        bank = rng.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB"])
        while True:  # the Dutch eleven test
            acct = "0" + digits(rng, 9)
            if sum(int(c) * w for c, w in zip(acct, range(10, 0, -1), strict=True)) % 11 == 0:
                return bank + acct
    if cc == "IE":
        return rng.choice(["AIBK", "BOFI", "IPBS", "ULSB"]) + digits(rng, 6) + digits(rng, 8)
    if cc == "IT":
        abi, cab, account = "0" + digits(rng, 4), digits(rng, 5), "0000" + digits(rng, 8)
        odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
        s = abi + cab + account
        total = sum(odd[int(c)] if i % 2 == 0 else int(c) for i, c in enumerate(s))
        return chr(ord("A") + total % 26) + s
    if cc == "BE":
        first10 = digits(rng, 10)
        check = int(first10) % 97 or 97
        return f"{first10}{check:02d}"
    if cc == "AT":
        return str(rng.randint(1, 9)) + digits(rng, 4) + digits(rng, 11)
    if cc == "PT":
        first19 = digits(rng, 19)
        return f"{first19}{98 - int(first19) * 100 % 97:02d}"
    if cc == "LU":
        return digits(rng, 3) + digits(rng, 13)
    if cc == "CH":
        return "00" + digits(rng, 3) + digits(rng, 12)
    if cc == "PL":
        return digits(rng, 24)
    raise ValueError(cc)


def group4(s: str) -> str:
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4))


def format_iban(rng: random.Random, compact: str) -> str:
    out = group4(compact) if rng.random() < 0.5 else compact
    return out.lower() if rng.random() < 0.14 else out


def iban(st: State, cc: str | None = None) -> str:
    if cc is None:
        if not st.first_iban_done:
            cc = st.cc
        else:
            cc = st.rng.choices(list(IBAN_WEIGHTS), weights=list(IBAN_WEIGHTS.values()))[0]
    st.first_iban_done = True
    return format_iban(st.rng, iban_from_bban(cc, bban(st.rng, cc)))


SORT_PREFIXES = [
    "04",
    "08",
    "09",
    "11",
    "16",
    "20",
    "23",
    "30",
    "40",
    "60",
    "77",
    "83",
    "87",
    "90",
    "56",
    "52",
]


def sort_digits(rng: random.Random) -> str:
    return rng.choice(SORT_PREFIXES) + digits(rng, 4)


def sort_code(st: State) -> str:
    d = sort_digits(st.rng)
    sep = st.rng.choices(["-", "", " "], weights=[65, 20, 15])[0]
    return sep.join([d[:2], d[2:4], d[4:]])


def acct_uk(st: State) -> str:
    if st.rng.random() < 0.15:
        return "00" + digits(st.rng, 6)
    return str(st.rng.randint(1, 9)) + digits(st.rng, 7)


def acct_us(st: State) -> str:
    n = st.rng.choice([6, 7, 8, 9, 10, 10, 11, 12, 12])
    return (
        str(st.rng.randint(1, 9)) + digits(st.rng, n - 1)
        if st.rng.random() < 0.8
        else "0" + digits(st.rng, n - 1)
    )


def routing(st: State) -> str:
    rng = st.rng
    prefix = rng.choice([f"{rng.randint(1, 12):02d}", f"{rng.randint(21, 32)}", f"{rng.randint(61, 72)}"])
    body = prefix + digits(rng, 6)
    for c in "0123456789":
        if aba_ok(body + c):
            return body + c
    raise AssertionError("unreachable")


def ssn(st: State) -> str:
    rng = st.rng
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    d = f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"
    sep = rng.choices(["-", " ", ""], weights=[65, 10, 25])[0]
    return sep.join(d)


def nino(st: State) -> str:
    rng = st.rng
    firsts = [c for c in string.ascii_uppercase if c not in NINO_FIRST_BAD]
    seconds = [c for c in string.ascii_uppercase if c not in NINO_SECOND_BAD]
    while True:
        prefix = rng.choice(firsts) + rng.choice(seconds)
        if prefix not in NINO_PREFIX_BAD:
            break
    num, suffix = digits(rng, 6), rng.choice("ABCD")
    r = rng.random()
    if r < 0.45:
        return f"{prefix} {num[:2]} {num[2:4]} {num[4:]} {suffix}"
    if r < 0.85:
        return f"{prefix}{num}{suffix}"
    if r < 0.95:
        return f"{prefix}{num}{suffix}".lower()
    return f"{prefix} {num} {suffix}"


def email(st: State) -> str:
    rng = st.rng
    first = rng.choice(FIRST).lower()
    last = rng.choice(LAST).lower().replace("'", "")
    yy = rng.randint(70, 99) if rng.random() < 0.5 else rng.randint(1, 24)
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first}{last}{yy}",
            f"{first[0]}{last}",
            f"{first}_{last}",
            f"{first}.{last}+bank",
            f"{last}.{first}{yy:02d}",
            f"{first}{rng.randint(1, 999)}",
            f"{first[0]}.{last}",
        ]
    )
    out = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    if rng.random() < 0.05:
        out = out[0].upper() + out[1:]
    return out


UK_LANDLINES = [("20", "7946 0"), ("161", "496 0"), ("113", "496 0"), ("114", "496 0"), ("115", "496 0"),
                ("117", "496 0"), ("121", "496 0"), ("131", "496 0"), ("141", "496 0"), ("151", "496 0"),
                ("191", "498 0"), ("29", "2018 0"), ("28", "9018 0")]  # fmt: skip
US_AREAS = ["202", "212", "312", "415", "617", "305", "713", "206", "404", "503", "512", "602", "718",
            "646", "773", "818"]  # fmt: skip
AU_MOBILES = ["0491 570 006", "0491 570 156", "0491 570 157", "0491 570 158", "0491 570 159", "0491 570 110",
              "0491 570 313", "0491 570 737", "0491 571 266", "0491 571 491", "0491 571 804", "0491 572 549",
              "0491 572 665", "0491 572 983", "0491 573 770", "0491 573 087", "0491 574 118"]  # fmt: skip


def phone_uk(st: State) -> str:
    rng = st.rng
    if rng.random() < 0.65:  # mobile, Ofcom drama range 07700 900000-900999
        n = f"{rng.randint(0, 999):03d}"
        return rng.choices(
            [f"07700 900{n}", f"07700900{n}", f"+44 7700 900{n}", f"+447700900{n}", f"07700 900 {n}",
             f"+44 (0)7700 900{n}"],
            weights=[35, 15, 25, 10, 10, 5],
        )[0]  # fmt: skip
    area, local = rng.choice(UK_LANDLINES)
    n = f"{rng.randint(0, 999):03d}"
    local = local + n
    return rng.choices([f"0{area} {local}", f"+44 {area} {local}", f"0{area}{local.replace(' ', '')}"],
                       weights=[60, 30, 10])[0]  # fmt: skip


def phone_us(st: State) -> str:
    rng = st.rng
    a, n = rng.choice(US_AREAS), f"01{rng.randint(0, 99):02d}"
    return rng.choices(
        [f"({a}) 555-{n}", f"+1 {a}-555-{n}", f"{a}-555-{n}", f"{a}.555.{n}", f"+1 ({a}) 555-{n}",
         f"1-{a}-555-{n}", f"{a}555{n}"],
        weights=[30, 20, 20, 8, 10, 6, 6],
    )[0]  # fmt: skip


def phone_fr(st: State) -> str:
    rng = st.rng  # France, ARCEP range reserved for fiction
    a, b = f"{rng.randint(0, 99):02d}", f"{rng.randint(0, 99):02d}"
    return rng.choice([f"+33 6 39 98 {a} {b}", f"06 39 98 {a} {b}", f"+33 639 98 {a} {b}"])


def phone_intl(st: State) -> str:
    rng = st.rng
    r = rng.random()
    if r < 0.4:
        return phone_fr(st)
    if r < 0.75:  # Australia, ACMA numbers reserved for fiction
        m = rng.choice(AU_MOBILES)
        return rng.choice([m, "+61 " + m[1:]])
    a, n = rng.choice(["416", "604", "514"]), f"01{rng.randint(0, 99):02d}"  # Canada
    return rng.choice([f"+1 {a} 555 {n}", f"+1 ({a}) 555-{n}"])


def phone_ukmob(st: State) -> str:
    n = f"{st.rng.randint(0, 999):03d}"
    return st.rng.choice(
        [f"07700 900{n}", f"07700900{n}", f"+44 7700 900{n}", f"+447700900{n}", f"07700 900 {n}"]
    )


def phone_mob(st: State) -> str:
    r = st.rng.random()
    return phone_ukmob(st) if r < 0.6 else phone_us(st) if r < 0.85 else phone_intl(st)


def phone(st: State) -> str:
    r = st.rng.random()
    return phone_uk(st) if r < 0.5 else phone_us(st) if r < 0.8 else phone_intl(st)


def otp(st: State) -> str:
    rng = st.rng
    r = rng.random()
    if r < 0.06:
        return f"{digits(rng, 3)} {digits(rng, 3)}"
    n = rng.choices([4, 5, 6, 7, 8], weights=[12, 5, 62, 5, 16])[0]
    return digits(rng, n)


WORDS = ["summer", "winter", "liverpool", "arsenal", "sunshine", "dragon", "monkey", "princess", "buster",
         "charlie", "tigger", "football", "orange", "purple", "bella", "coco", "marmite", "biscuit",
         "pancake", "rainbow", "tractor", "pepper", "kestrel", "lighthouse", "gizmo", "wombat"]  # fmt: skip
SYMBOLS = "!@#$%&*?_-.+="


def leet(w: str) -> str:
    return w.replace("a", "@").replace("o", "0").replace("e", "3").replace("i", "1")


def password(st: State) -> str:
    rng = st.rng
    w = rng.choice(WORDS)
    w2 = rng.choice(WORDS)
    sym = rng.choice(SYMBOLS)
    year = str(rng.choice([1987, 1992, 1999, 2001, 2012, 2019, 2020, 2023, 2024]))
    while True:
        pw = rng.choice(
            [
                f"{w.capitalize()}{year}{sym}",
                f"{leet(w).capitalize()}{rng.randint(1, 99)}{sym}",
                f"{w}{rng.randint(1, 9)}{sym}{sym}",
                f"{w}-{w2}-{rng.randint(10, 99)}",
                f"{w}{w2}{rng.randint(1, 999)}",
                "".join(
                    rng.choice(string.ascii_letters + string.digits + "!#%&*?")
                    for _ in range(rng.randint(9, 14))
                ),
                f"{w.capitalize()}{w2.capitalize()}{sym}{rng.randint(1, 9)}",
                f"{rng.choice(FIRST)}{year[2:]}{sym}",
                f"{w.upper()}{rng.randint(100, 9999)}",
                f"{leet(w)}{leet(w2)}{sym}",
            ]
        )
        if len(pw) >= 6 and re.search(r"[A-Za-z]", pw) and not re.search(r"[\s\"',()]", pw):
            return pw


def pin(st: State) -> str:
    n = st.rng.choices([4, 5, 6], weights=[85, 4, 11])[0]
    return digits(st.rng, n)


# Slot name -> (type, generator)
PII_SLOTS = {
    "card": ("card_number", lambda st: card(st)),
    "card_visa": ("card_number", lambda st: card(st, "visa")),
    "card_mc": ("card_number", lambda st: card(st, "mastercard")),
    "card_amex": ("card_number", lambda st: card(st, "amex")),
    "card_disc": ("card_number", lambda st: card(st, "discover")),
    "iban": ("iban", lambda st: iban(st)),
    **{f"iban_{cc.lower()}": ("iban", lambda st, cc=cc: iban(st, cc)) for cc in IBAN_LENGTH},
    "acct_uk": ("account_number", acct_uk),
    "acct_us": ("account_number", acct_us),
    "sort": ("sort_code", sort_code),
    "routing": ("routing_number", routing),
    "ssn": ("national_id", ssn),
    "nino": ("national_id", nino),
    "email": ("email", email),
    "phone": ("phone", phone),
    "phone_uk": ("phone", phone_uk),
    "phone_us": ("phone", phone_us),
    "phone_intl": ("phone", phone_intl),
    "phone_fr": ("phone", phone_fr),
    "phone_ukmob": ("phone", phone_ukmob),
    "phone_mob": ("phone", phone_mob),
    "otp": ("otp", otp),
    "password": ("password", password),
    "pin": ("pin", pin),
}


# ---------------------------------------------------------------------------------------------------------
# Near misses (never labelled)
# ---------------------------------------------------------------------------------------------------------


def amount_gbp(st: State) -> str:
    rng = st.rng
    small = rng.randint(3, 99) + rng.randint(0, 99) / 100
    large = rng.randint(100, 4999) + rng.choice([0, 0.5, 0.99])
    v = rng.choice([small, large, rng.randint(5, 300) * 10])
    r = rng.random()
    if r < 0.55:
        return f"£{v:,.2f}"
    if r < 0.8:
        return f"£{int(v):,}"
    if r < 0.9:
        return f"{int(v)} pounds"
    return f"{int(v)} quid"


def amount_usd(st: State) -> str:
    rng = st.rng
    v = rng.choice([rng.randint(5, 250) + rng.randint(0, 99) / 100, rng.randint(250, 9000)])
    r = rng.random()
    if r < 0.5:
        return f"${v:,.2f}"
    if r < 0.85:
        return f"${int(v):,}"
    return f"USD {int(v)}"


def amount_eur(st: State) -> str:
    rng = st.rng
    v = rng.choice([rng.randint(5, 250) + rng.randint(0, 99) / 100, rng.randint(250, 6000)])
    r = rng.random()
    if r < 0.35:
        return f"€{v:,.2f}"
    if r < 0.55:
        return f"{int(v)} euros"
    if r < 0.7:
        return f"EUR {int(v):,}"
    if r < 0.85:
        return f"{v:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"€{int(v)}"


def date(st: State) -> str:
    rng = st.rng
    y, m, d = rng.choice([2023, 2024, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choices(
        [f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}",
         f"{m}/{d}/{y}", f"{d} {MONTHS[m - 1][:3]} {y}"],
        weights=[35, 10, 15, 10, 20, 10],
    )[0]  # fmt: skip


def date_iso(st: State) -> str:
    rng = st.rng
    return f"{rng.choice([2023, 2024, 2025])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_words(st: State) -> str:
    rng = st.rng
    d, m = rng.randint(1, 28), rng.choice(MONTHS)
    return rng.choice([f"{ordinal(d)} of {m}", f"{m} {d}", f"{d} {m}", f"last {rng.choice(WEEKDAYS)}",
                       f"{rng.choice(WEEKDAYS)} the {ordinal(d)}", f"{m} {ordinal(d)}"])  # fmt: skip


def time_(st: State) -> str:
    rng = st.rng
    h, mi = rng.randint(0, 23), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50, rng.randint(0, 59)])
    h12, ampm = (h % 12) or 12, "am" if h < 12 else "pm"
    return rng.choice(
        [f"{h:02d}:{mi:02d}", f"{h}:{mi:02d}", f"{h12}{ampm}", f"{h12}:{mi:02d}{ampm}", f"{h:02d}.{mi:02d}"]
    )


def ticket(st: State) -> str:
    return str(st.rng.randint(10000, 999999))


def case(st: State) -> str:
    return f"{st.rng.choice([2023, 2024, 2025])}-{st.rng.randint(100000, 999999)}"


def txref(st: State) -> str:
    rng = st.rng
    return rng.choice([f"TX-{digits(rng, 8)}", f"TXN{digits(rng, 10)}", f"RB{digits(rng, 6)}X",
                       f"PAY-{digits(rng, 4)}-{digits(rng, 4)}"])  # fmt: skip


def order(st: State) -> str:
    rng = st.rng
    return rng.choice(
        [
            f"{digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}",
            f"#{rng.randint(100000, 9999999)}",
            f"ORD-{digits(rng, 6)}",
        ]
    )


def last4(st: State) -> str:
    return digits(st.rng, 4)


def masked(st: State) -> str:
    d = digits(st.rng, 4)
    return st.rng.choice(
        [f"****{d}", f"**** **** **** {d}", f"xxxx-xxxx-xxxx-{d}", f"XXXX XXXX XXXX {d}", f"•••• {d}"]
    )


def badluhn(st: State) -> str:
    rng = st.rng
    while True:
        n = rng.choice(["4", "5", "3", "9", "1", "6"]) + digits(rng, 15)
        if not luhn_ok(n):
            break
    if rng.random() < 0.3:
        return group4(n)
    return n


def badiban(st: State) -> str:
    rng = st.rng
    cc = rng.choices(list(IBAN_WEIGHTS), weights=list(IBAN_WEIGHTS.values()))[0]
    good = iban_from_bban(cc, bban(rng, cc))
    while True:
        bad = good[:2] + f"{rng.randint(2, 98):02d}" + good[4:]
        if not iban_ok(bad):
            break
    return bad if rng.random() < 0.8 else group4(bad)


def refnum9(st: State) -> str:
    while True:
        d = str(st.rng.randint(1, 9)) + digits(st.rng, 8)
        if not aba_ok(d):
            return d


def count(st: State) -> str:
    return str(st.rng.choice([2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15, 20, 30, 45]))


def year(st: State) -> str:
    return str(st.rng.choice([1998, 2004, 2009, 2011, 2015, 2017, 2019, 2021, 2022, 2023]))


def version(st: State) -> str:
    rng = st.rng
    return rng.choice(
        [
            f"{rng.randint(3, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            f"v{rng.randint(3, 9)}.{rng.randint(0, 20)}",
            f"{rng.randint(3, 9)}.{rng.randint(0, 20)}",
        ]
    )


def pct(st: State) -> str:
    rng = st.rng
    v = rng.choice(
        [f"{rng.randint(0, 24)}.{rng.randint(0, 99):02d}", str(rng.randint(1, 30)), f"{rng.randint(1, 9)}.5"]
    )
    return rng.choice([f"{v}%", f"{v}%", f"{v} %", f"{v} percent"])


def errcode(st: State) -> str:
    rng = st.rng
    return rng.choice(
        [
            str(rng.randint(1000, 9999)),
            f"E{rng.randint(100, 9999)}",
            f"ERR-{rng.randint(10, 999)}",
            str(rng.choice([401, 403, 500, 502, 503])),
        ]
    )


def invoice(st: State) -> str:
    rng = st.rng
    return rng.choice(
        [f"INV-{rng.choice([2024, 2025])}-{digits(rng, 4)}", f"INV{digits(rng, 6)}", f"{digits(rng, 5)}/24"]
    )


def bookref(st: State) -> str:
    return "".join(st.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def expiry(st: State) -> str:
    return f"{st.rng.randint(1, 12):02d}/{st.rng.randint(25, 30)}"


def dob(st: State) -> str:
    rng = st.rng
    y, m, d = rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{d:02d}/{m:02d}/{y}", f"{d} {MONTHS[m - 1]} {y}", f"{y}-{m:02d}-{d:02d}"])


def rate(st: State) -> str:
    return f"{st.rng.randint(0, 1)}.{st.rng.randint(10, 99)}"


def points(st: State) -> str:
    return f"{st.rng.randint(1, 40):,}{st.rng.choice(['00', '50', '20'])}"


def storeno(st: State) -> str:
    return f"#{st.rng.randint(100, 9999):04d}"


def atmref(st: State) -> str:
    return digits(st.rng, 4) + "-" + digits(st.rng, 6)


def txshort(st: State) -> str:
    return "".join(st.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))


def authcode(st: State) -> str:
    rng = st.rng
    return rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + "".join(
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5)
    )


def age(st: State) -> str:
    return str(st.rng.randint(19, 78))


def kidage(st: State) -> str:
    return str(st.rng.randint(7, 17))


def num8(st: State) -> str:
    return str(st.rng.randint(1, 9)) + digits(st.rng, 7)


def day_ord(st: State) -> str:
    return ordinal(st.rng.choice([1, 2, 3, 5, 10, 15, 21, 22, 23, 25, 28]))


NEAR_SLOTS = {
    "amount_gbp": amount_gbp, "amount_usd": amount_usd, "amount_eur": amount_eur, "date": date,
    "date_iso": date_iso, "date_words": date_words, "time": time_, "ticket": ticket, "case": case,
    "txref": txref, "order": order, "last4": last4, "masked": masked, "badluhn": badluhn, "badiban": badiban,
    "refnum9": refnum9, "count": count, "year": year, "version": version, "pct": pct, "errcode": errcode,
    "invoice": invoice, "bookref": bookref, "expiry": expiry, "dob": dob, "rate": rate, "points": points,
    "storeno": storeno, "atmref": atmref, "txshort": txshort, "authcode": authcode, "age": age,
    "day_ord": day_ord, "kidage": kidage, "num8": num8, "postcode": lambda st: st.rng.choice(POSTCODES),
    "month": lambda st: st.rng.choice(MONTHS),
}  # fmt: skip

FILL_SLOTS = {
    "firstname": lambda st: st.rng.choice(FIRST),
    "lastname": lambda st: st.rng.choice(LAST),
    "name": lambda st: f"{st.rng.choice(FIRST)} {st.rng.choice(LAST)}",
    "merchant": lambda st: st.rng.choice(MERCHANTS),
    "city": lambda st: st.rng.choice(
        UK_CITIES + ["Madrid", "Lisbon", "Berlin", "New York", "Chicago", "Lyon"]
    ),
    "ccity": lambda st: st.rng.choice(COUNTRY_CITIES[st.cc]),
    "country": lambda st: COUNTRY_NAME[st.cc],
    "street": lambda st: (
        f"{st.rng.choice(['', 'Flat 2, ', 'Flat 11, ', ''])}{st.rng.randint(1, 140)} {st.rng.choice(STREETS)}"
    ),
    "weekday": lambda st: st.rng.choice(WEEKDAYS),
    "bic": lambda st: st.rng.choice(BICS),
}


# ---------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------

PII_TEMPLATES = [
    # --- cards: blocked, lost, stolen, declined, disputes, fraud ---
    "hi my card got blocked this morning at {merchant}, the number is {card} can you unblock it pls",
    "Card {card} was declined twice today even though I have {amount_gbp} in my account. What is going on??",
    "I lost my debit card somewhere in {city} yesterday. Card number {card}. Please cancel it and send a "
    "new one to my usual address.",
    "someone used my card {card} to buy stuff on {merchant} for {amount_usd} i did NOT do this",
    "Hello, I would like to dispute a charge of {amount_gbp} dated {date}. It was on my credit card "
    "{card}. The merchant was {merchant}. Thank you.",
    "card num: {card}\nexp {expiry}\nit keeps saying invalid card when i try to pay online",
    "My amex {card_amex} has a pending transaction from {merchant} I don't recognise, {amount_usd}. please "
    "investigate",
    "URGENT!!! my wallet was stolen on the train. cards: {card} and {card}. freeze both NOW",
    "i think my card was skimmed at an atm on {street}. the card is {card}, last used {date_words} around "
    "{time}",
    "Hi there, my new card arrived but it won't activate. The number on the front is {card}. I've tried "
    "{count} times.",
    "Could you tell me why {card} was charged a foreign transaction fee of {pct}? I was told there were "
    "none.",
    "my son used my card ({card}) on a game {count} times without asking, total {amount_gbp}, can i get a "
    "refund",
    "Please add my card {card} to apple pay, it keeps failing at the verification step",
    "the card ending {last4} is my old one, the new one is {card} — why is my streaming sub still going to "
    "the old one?",
    "{card}\n\nthat's my card, it got swallowed by the ATM at {merchant} in {city}",
    "charge from {merchant} for {amount_eur} on {date_iso}, card {card}, I was never in spain",
    "Hiya, I've been charged twice for the same order ({order}) on my card {card}. Could you refund one of "
    "them?",
    "Good morning. I am writing to report that my credit card, number {card}, has been used fraudulently. "
    "I still have the card in my possession. My phone number is {phone_uk} if you need to call me.",
    "card {card} blocked. email me at {email} when its sorted. not calling, been on hold {count} mins "
    "already",
    "My card {card} expires {expiry} and I haven't received the replacement yet. I've moved, new postcode "
    "is {postcode}.",
    "i typed my card number wrong on the form, its {card} not what i put before",
    "Why was there a {amount_usd} hold on card {card} at a hotel? I checked out on {date}.",
    "The virtual card {card} I made for subscriptions has a charge from a company I never heard of",
    "I want to raise a chargeback. Card: {card}. Amount: {amount_gbp}. Date: {date}. Merchant: {merchant}. "
    "Reason: goods never arrived, tracking {badluhn} hasn't moved in weeks.",
    "can u increase limit on {card} to {amount_gbp}",
    "my card got declined at {merchant} and they said call the bank. card number {card}, pin {pin} - it's "
    "definitely the right pin",
    "Forgot my PIN for card {card}. I think it was {pin} but it says incorrect, now its locked",
    "is {card} still active? i got a text saying it was suspended from {phone_us}, is that really you guys?",
    "Amex {card_amex} - please cancel. Reason: lost. Contact {email}",
    "Contactless isn't working on {card} since the update to app version {version}",
    "i want to report fraud!! {count} transactions on card {card} between {date} and {date}",
    "Please cancel the card {card}. My husband has the other card on the account, please leave his active.",
    "got a letter saying card {card} was involved in a data breach at {merchant}?? should i be worried",
    "Hello,\nMy card number is {card}\nMy date of birth is {dob}\nCan you tell me my balance please",
    "Hi, the shop refunded {amount_gbp} to card {card} on {date} but it's not showing",
    "im abroad in {city} and card {card} isn't working at any atm. my number here is {phone_intl}",
    "{firstname} here. Card {card} keeps getting declined for online purchases over {amount_gbp}",
    "Hey, quick one - does card {card_visa} have travel insurance included?",
    "yes the card number is {card}",
    "card {card_mc}, disputed txn {txref}, still no update after {count} days",
    "My credit card {card} was charged an annual fee of {amount_usd} that I was told would be waived for "
    "the first year",
    "Apple pay keeps adding my old card {card} instead of the new one {card}",
    "i called and they said to message here. the card is {card} and the ticket number they gave me is "
    "{ticket}",
    "Pls block my card {card} asap someone has my phone. my email is {email} and my other number is {phone}",
    "I tried to pay {amount_eur} from card {card} to my landlord's IBAN {iban} but it got rejected",
    "my discover card {card_disc} was charged {amount_usd} by {merchant} on {date} - I cancelled that "
    "subscription in {month}!!",
    "Card: {card}\nName on card: {name}\nProblem: declined abroad, in {city} till the {day_ord}",
    "My daughter took my card {card} to uni and lost it 😩 can you cancel it, she has no idea where it went",
    "i keep getting 'do not honour' on {card} whenever i try to book anything with {merchant}. whats going "
    "on with my account",
    "Just checking: the card you sent me on {date_words} is {card}? Because the one in the letter doesn't "
    "match what the app shows",
    "pls check card {card} for any recent transactions after {time} today. i left it in a taxi",
    "Two charges of {amount_gbp} on {date} at {merchant} {storeno}. Card used was {card}. Only one was me.",
    "hi, could you move my payments from card {card} to the new one {card}? the old one expires {expiry}",
    "I don't trust the website. Can I give you my card number here? It's {card}. I want to order a second "
    "card for my partner.",
    "card is {card_amex} amex, the charge is {amount_usd} from {merchant} and my email on file is {email}",
    "the cashier took my card {card} to the back for ages. worried it got copied. Ticket {ticket} from the "
    "last time this happened",
    "Hello, I am visiting from {ccity}. My Rho card {card} does not work in the metro machines",
    "Can you see an authorisation attempt on {card} at {time}? The merchant said approval code {authcode} "
    "but nothing on my app",
    "hey my card {card} got declined at the petrol station, used pin {pin}, then it said card retained. "
    "I'm stuck at {street} with no way to pay 😡",
    "Card stolen. Card number: {card}. Last genuine purchase: {amount_gbp} at {merchant} on {date}. Call "
    "me on {phone_uk}",
    # --- IBAN transfers ---
    "I need to send {amount_eur} to {iban}, it's for my daughter's university fees in {country}",
    "can you confirm the transfer to {iban} went through? it was on {date}",
    "Hi, I've made a payment to the wrong IBAN. I sent it to {iban} instead of {iban}. Please help me get "
    "it back!!",
    "my iban is {iban} right? need to give it to my employer",
    "Transfer of {amount_gbp} to IBAN {iban} is stuck as 'pending' since {date_words}. Reference on my "
    "side is {txref}.",
    "Why am I being charged {amount_gbp} fee for sending money to {iban}? website says international "
    "transfers are free",
    "iban: {iban}\nbic: {bic}\nname: {name}\namount: {amount_eur}\nis this enough info to set up the "
    "payment?",
    "Set up a standing order please: {amount_eur} monthly to {iban}, starting {date_words}",
    "the IBAN {iban_de} for my german account got rejected by your app with 'invalid format'. it's "
    "definitely right, i copied it from my statement",
    "my landlord in {ccity} gave me this IBAN: {iban}. Is it safe to send {amount_eur}?",
    "I received money from {iban} that I don't recognise. {amount_eur} on {date}. Is this a scam?",
    "please refund to my french account {iban_fr} not the card",
    "Hello, my salary now goes to {iban} — can you move the loan repayments to come from there?",
    "sent {amount_eur} to {iban} but the recipient says they got {amount_eur}. where did the rest go??",
    "Can I receive payments from abroad on my Rho account? My IBAN shows as {iban_gb} in the app",
    "{iban} <- thats the one",
    "Payment to {name} ({iban}) failed with error code {errcode}. tried {count} times",
    "Hi team, the beneficiary IBAN is {iban}, reference should be '{invoice}'. Invoice total {amount_eur}.",
    "I think I was scammed. Guy on marketplace asked me to pay {amount_gbp} to {iban} and now he's blocked "
    "me",
    "Can you recall a SEPA payment? Sent to {iban_nl} by mistake this morning at {time}",
    "help, my rent ({amount_eur}) went to {iban_es} but landlord says it's an old account",
    "Hello I need my IBAN and sort code for a form. I think the IBAN is {iban_gb} and sort code {sort} ?",
    "My new employer needs my bank details. iban {iban_gb} — is that the correct one for my current "
    "account ending {last4}?",
    "transfer to ireland {iban_ie} is taking forever, it's been {count} working days",
    "lo siento my english is not good. i send {amount_eur} to {iban_es} on {date} and it not arrive",
    "Pagamento a {iban_it} respinto. why?? my cousin in Milan is waiting",
    "Please whitelist {iban_be}, I pay this supplier every month ~{amount_eur}",
    "got an email from 'rho bank' asking me to confirm my iban {iban} and password {password} ... I "
    "replied before I realised. what do I do now",
    "Is there a limit on sending to {iban}? I need to send {amount_eur} for a house deposit",
    "I'm moving to {country}. Can I keep my account and have my salary paid from {iban} into it?",
    "The payee name check says 'no match' for {iban}. The name is {name}. Should I go ahead?",
    "incoming transfer from {iban} got returned?? sender says reason was 'account closed' but my account "
    "is open",
    "I need to change the IBAN on my direct debit to {iban}. The old one is closed.",
    "Iban {iban} – name {name} – amount {amount_eur} – purpose: tuition. Please process, it's urgent, "
    "deadline is {date}",
    "why does it say IBAN {iban} doesn't match the country? it's a bank in {country}",
    "my mum is sending me money from {iban_de}, how long will it take",
    "Tried adding a payee with IBAN {iban} and a sort code box appeared? I don't have a sort code it's a "
    "european account",
    "Hi! Could you send me a confirmation letter that {iban_gb} belongs to me? Needed for visa "
    "application. email: {email}",
    "money went to {iban} instead of {iban}, i pasted the wrong one from my notes. the right one is the "
    "second one. pls fix",
    "re: case {case} – the refund should go to {iban}, not back to the card",
    "I'm a business customer. Supplier changed their bank details by email to {iban}. Invoice {invoice} "
    "for {amount_eur}. I'm suspicious, can you check?",
    "{name}\n{iban}\n{amount_eur}\nref {invoice}\n\nthis didnt go through yesterday pls check",
    "hello my IBAN {iban} is being rejected by an online shop, it says invalid. Is something wrong with my "
    "account",
    "Transfer {amount_gbp} from my account to {iban}, quickly please, phone {phone} if you need to verify",
    "Is {iban} a valid iban? my client sent it and I want to be sure before I pay {amount_eur}",
    "The app shows '{iban_gb}' under account details but my paper statement shows it in a different "
    "format, are they the same?",
    "Hi, please pay my tax bill to IBAN {iban_pt}, amount {amount_eur}, before {date_words}. Thanks",
    "ok so I have two accounts abroad, {iban} and {iban}, and I want to bring both balances home. best way?",
    "recipient bank says the IBAN {iban} doesn't exist but I've paid it before on {date}",
    "My Austrian employer pays into {iban_at} and wants to switch to my Rho account. What do I give them?",
    "I sent {amount_eur} to {iban_ch} on {date} and the fee was {amount_gbp}!? that's insane",
    "pls confirm: iban {iban_pl} / {name} / {amount_eur}. my first time paying my family in Poland",
    "IBAN for refund: {iban}\nOrder: {order}\nAmount: {amount_eur}",
    "Hi, I'm trying to pay my Luxembourg health insurer {iban_lu} but your app wants a BIC. Which one?",
    "do i put {iban} with the spaces or without? the form keeps saying incorrect",
    "Please pay {amount_eur} to {iban} with the reference {badiban} exactly, otherwise the school can't "
    "match it",
    "I paid IBAN {iban} and put {badiban} as the reference like the invoice said. Now they say they never "
    "received it",
    "my replacement card (old one was {card}) was sent with tracking {badluhn} and it's gone missing",
    "card {card} charged {amount_gbp} by {merchant}, their transaction id {badluhn}. I want this reversed",
    # --- UK account numbers and sort codes ---
    "my account number is {acct_uk} and sort code {sort}, I can't log in to the app",
    "acct no. {acct_uk} - why was a fee of {amount_gbp} taken on {date}?",
    "Please close account {acct_uk} sort code {sort}. I'm moving everything to my partner's bank.",
    "I set up a direct debit for the gym with sort code {sort} account {acct_uk} but it keeps failing",
    "My salary should have gone into account {acct_uk} today ({date}). Sort code {sort}. It isn't there.",
    "A/C {acct_uk}\nS/C {sort}\nIs my overdraft still {amount_gbp}?",
    "Hi, I'm paying a tradesman. He gave me sort code {sort} and account number {acct_uk}. The "
    "confirmation of payee check says no match.",
    "sort code: {sort} / account: {acct_uk} — that's where my pension gets paid in, can you confirm it's "
    "my account",
    "Can you tell me whether account {acct_uk} is a joint account or in my name only",
    "i need to cancel the direct debit going to account {acct_uk}, sort code {sort} - its a company called "
    "{merchant} and they keep taking {amount_gbp}",
    "Moved house. New address: {street}, {city} {postcode}. Account number {acct_uk}.",
    "I'm locked out. My account no is {acct_uk}, email {email}, phone number {phone_uk}. please unlock",
    "is sort code {sort} a rho bank one? someone asked me to pay into it",
    "My account {acct_uk} shows a balance of -{amount_gbp} but I've not spent anything",
    "hey so the letter with my new card says account number {acct_uk} but the app says something different?",
    "Switching my ISA. Old provider needs: account no {acct_uk}, sortcode {sort}. Is that right?",
    "Need a statement for account {acct_uk} for the last {count} months for my mortgage application",
    "I'm trying to pay my council tax, sort code {sort}, account number {acct_uk}, ref {refnum9}, but it "
    "says payee not found",
    "my mum's account number is {acct_uk}, she's {age} and can't use the app. can I help her from mine?",
    "Hello, I'd like my salary paid to my new account. Sort code {sort}, account {acct_uk}. My employer "
    "needs a letter.",
    "Account number {acct_uk}, sort code {sort}, card ending {last4}. Please freeze everything, I think "
    "I've been hacked",
    "I paid {amount_gbp} to sort code {sort} account {acct_uk} on {date} thinking it was my solicitor. It "
    "wasn't. Help!!",
    "what is the sort code for my account? the app says {sort} but my cheque book says something else",
    # --- US account numbers and routing numbers ---
    "my checking account number is {acct_us} and routing number {routing}, direct deposit hasn't arrived",
    "ACH from routing {routing} acct {acct_us} bounced, my employer says. why",
    "Please set up direct deposit. Routing: {routing} Account: {acct_us}",
    "I gave my landlord routing number {routing} and account {acct_us} for autopay but he says the routing "
    "number is wrong?",
    "Wire instructions from my title company: routing {routing}, account number {acct_us}. Closing is "
    "{date}. Can you confirm these look legit before I send {amount_usd}?",
    "what's your routing number? is it {routing}? my tax refund is going to account {acct_us}",
    "ABA {routing} / acct# {acct_us} / amount {amount_usd} — wire still not received after {count} days",
    "Hi, my acct number is {acct_us}. I'm trying to link it to a payment app but the micro deposits never "
    "showed",
    "account # {acct_us} was charged an overdraft fee of {amount_usd} on {date} even though I had "
    "overdraft protection",
    "my direct deposit form says routing number {routing}, is that still correct after the merger?",
    "Routing no. {routing}\nChecking {acct_us}\nSavings {acct_us}\nwhich one is the high yield one?",
    "payroll says my routing # {routing} is invalid?? i copied it off a check",
    "Hey I need to update autopay for my car loan, new account number {acct_us} routing {routing}, old one "
    "closed on {date_words}",
    "The IRS sent my refund ({amount_usd}) to account {acct_us}, routing {routing}. that's not my account "
    "anymore!",
    "Zelle keeps failing. My checking acct is {acct_us}, phone on the account is {phone_us}",
    "Hi, I'm a US customer, my routing number is {routing} and account number is {acct_us}. My SSN is "
    "{ssn}. Why is my account restricted?",
    # --- national identifiers ---
    "For verification my SSN is {ssn}. I need to update my address to {street}, {city}",
    "Why do you need my social security number? fine, it's {ssn}",
    "My national insurance number is {nino}, do you need it for the ISA application?",
    "NI number: {nino}\nDOB: {dob}\nPostcode: {postcode}\nplease unlock my account",
    "i think someone opened an account in my name using my ssn {ssn}. i got a letter about a card I never "
    "applied for",
    "Hello, my NI no is {nino} and my employer says the bank has it wrong on my details?",
    "someone called pretending to be you and asked for my social ({ssn}), my pin and the code you texted. "
    "i gave them the ssn only. what now",
    "Updating my tax details: SSN {ssn}, new email {email}",
    "The form asks for national insurance number - it's {nino} - but the field won't accept it?",
    "my social is {ssn} and my dob is {dob}, please verify me and reset my password, current one is "
    "{password}",
    "tax id/ssn: {ssn} — why am I getting a W-9 request",
    "NINO {nino}. Moving from {city} to {city}, new postcode {postcode}. What do I need to do?",
    "Hi I need to open a savings account for my son, his NI number is {nino}",
    "my husband passed away on {date}. his national insurance number was {nino}. how do we close his account",
    "SSN: {ssn}\nPhone: {phone_us}\nEmail: {email}\nI was locked out after {count} attempts",
    "i was asked for my social security # on the phone, is that normal? I said {ssn} before I thought "
    "about it",
    "my NI is {nino} and my account no is {acct_uk}. got a letter saying my ISA is void??",
    "Social security number {ssn}, DOB {dob}. Opening a joint account with my wife, her SSN is {ssn}",
    "HMRC letter says my national insurance no. {nino} doesn't match what the bank reported for interest "
    "in {year}",
    # --- email ---
    "please update my email to {email}, the old one {email} doesn't exist anymore",
    "I never got the statement email. Is it going to {email}?",
    "I got an email from {email} saying my account is suspended. Is that from you?",
    "can u send the dispute form to {email} thx",
    "my login email is {email} but it says no account found",
    "Contact me on {email} or {phone}, I'm at work until {time}",
    "Hi, email me: {email}",
    "{email} is my new address for everything, also phone changed to {phone}",
    "you keep emailing my ex at {email}. please change it to {email} ASAP, this is a privacy issue",
    "Got a weird message from {email} with a link to 'verify my card'. Forwarding it to you, was it real?",
    # --- phone ---
    "new phone number is {phone_mob}, please update it so I get the codes",
    "I changed my number from {phone_ukmob} to {phone_ukmob}. I'm not getting the verification texts "
    "anymore.",
    "please call me back on {phone}, between {time} and {time}",
    "someone called me from {phone} claiming to be the fraud team and asked me to move {amount_gbp}. was "
    "that you?",
    "my mobile {phone_ukmob} got stolen, please stop sending codes to it",
    "I live in {country} now, my number is {phone_intl}",
    "text me at {phone_us}",
    "Hi, wrong number on my account - should be {phone_us} not {phone_us}",
    "Can someone ring me? {phone} - I've been trying the chat for {count} days and nobody answers",
    "i'm travelling, my french number is {phone_fr} until the {day_ord}, use that for codes",
    "The number on my profile {phone} is my work phone, can you change it to my mobile {phone_ukmob}",
    "a guy from {phone_us} said he was from Rho security and knew my last 4 digits {last4}. scam?",
    # --- one-time codes ---
    "the code you texted me was {otp} but the app says it's expired",
    "I got a verification code {otp} that I didn't ask for?? is someone trying to get into my account",
    "entered {otp} like 5 times and it keeps saying wrong code",
    "OTP {otp} didn't work, can you send another one to {phone_mob}",
    "Someone on the phone asked me to read out the code, I told him {otp}. Then {amount_gbp} left my account",
    "security code from the text: {otp}",
    "The 3D Secure code for my online purchase ({otp}) came through {count} minutes late and the payment "
    "timed out",
    "your sms said 'Your Rho Bank code is {otp}. Never share it.' but the website never asked for it",
    "i keep getting codes like {otp} and {otp} at {time} every night, i'm not requesting them",
    "verification code {otp} is for adding a new device right? i didnt add any device",
    "one time passcode {otp} - I'm trying to approve a payment of {amount_eur} to {merchant}",
    "Code: {otp}\nthat's what came through, what do I do with it",
    "the one-time code was {otp} but it was sent to my old number {phone_ukmob}, please update to "
    "{phone_ukmob}",
    "i gave the delivery guy the code {otp} thinking it was for the parcel 😭 it was from you. did i mess "
    "up?",
    "My login code ({otp}) arrives after it expires. Every time. I'm on {phone_mob} on network BrightSpark",
    "got passcode {otp} while I was asleep at {time}. card ending {last4}. is someone using my card?",
    # --- passwords ---
    "my password is {password} and it says incorrect, I KNOW it's right",
    "pw: {password} — can you reset my login",
    "I changed my login password to {password} yesterday and now I can't get in",
    "login password = {password} , username {email}",
    "I think someone knows my password ({password}), please lock everything",
    "tried {password} and then {password} and neither works, I'm going mad",
    "my old password was {password} and the new one I want is {password} but it says doesn't meet "
    "requirements",
    "password: {password}\nemail: {email}\nwhy am I locked out",
    "Online banking says wrong password. I'm typing {password} exactly like I always do",
    "Can you tell me if my password is strong enough? it's {password}",
    "my wife set the password to {password} and now she's away, can you reset it for me?",
    "I reused my password {password} on a site that got hacked. Should I be worried about my Rho account?",
    "the app logged me out and now password {password} doesn't work. my pin {pin} works at the atm though",
    # --- PINs ---
    "my PIN is {pin} and the atm says incorrect pin",
    "pin number {pin} isn't working since you sent the new card",
    "I want to change my pin from {pin} to something else, how?",
    "forgot my pin, could it be {pin}? i've tried {count} times",
    "card got eaten at the atm after i put pin {pin} in wrong",
    "my card pin is {pin} and the letter with the new card says something different?",
    "Hi, the PIN reminder says {pin} but that's not the one I set. Card ending {last4}",
    "is it safe if my pin is {pin}? its my birth year lol",
    "My PIN: {pin}. Card locked after {count} tries at {merchant}. Please unlock",
    "Please reset my pin. The old one was {pin}. I'm at {street} and need cash before {time}",
    "told my flatmate my pin ({pin}) and now {amount_gbp} is gone from my account",
    "chip and pin not working, pin {pin} entered correctly, says 'card error'. ticket #{ticket}",
    # --- several kinds at once, longer and pasted messages ---
    "Hi,\n\nI'm writing because I'm really stressed. Yesterday at around {time} I got a call from {phone} "
    "from someone who said he was from your fraud team. He knew my name and address. He asked me to "
    "confirm my card number ({card}) and then read out a code you sent me, which was {otp}. After that "
    "{amount_gbp} left my account to {iban}. I have reported it to the police, crime ref {case}. Please "
    "help me get the money back.\n\n{name}",
    "copy of what I sent on {date} because no-one replied:\n> my card {card} was charged {amount_usd} by "
    "{merchant}\n> I want a refund\n\nStill waiting. My email is {email}",
    "ok so long story. I tried to pay my builder {amount_gbp} and the app asked for sort code {sort} and "
    "account {acct_uk} which he gave me, but it said name doesn't match. Then he sent me an IBAN instead: "
    "{iban}. Which one do I use?? He's getting impatient and I don't want to lose the money",
    "Dear Rho Bank,\n\nI am contacting you regarding a disputed transaction of {amount_eur} dated {date} "
    "on my card {card}. I have already contacted the merchant ({merchant}) under their case number {case} "
    "without success. Please find my contact details below.\n\nTelephone: {phone}\nEmail: {email}\n\nKind "
    "regards,\n{name}",
    "nothing works!!! app says wrong password ({password}), phone banking wants a code ({otp}) that never "
    "comes, and the atm ate my card after pin {pin}. i've been a customer since {year}. sort it out",
    "my details for the form: name {name}, NI {nino}, account {acct_uk}, sort code {sort}, mobile "
    "{phone_ukmob}",
    "Hi Rho, I'm in {city} on a work trip. Card {card} declined at the hotel ({amount_usd} deposit). I've "
    "got a verification text with {otp} but there's nowhere to enter it. Reach me at {phone_intl} or "
    "{email}",
    "Please update my details:\nOld email: {email}\nNew email: {email}\nNew mobile: {phone_mob}\nAddress: "
    "{street}, {city} {postcode}",
    "I need to send {amount_usd} from my US account (routing {routing}, account {acct_us}) to my Rho "
    "account {iban_gb}. How long will it take and what's the fee?",
    "my brother asked me to send his rent to {iban} and transfer {amount_gbp} to sort code {sort} account "
    "{acct_uk}. both failed. ref {txref}",
    "username {email} password {password} - I'm giving you these so you can fix my account, I can't do "
    "this myself anymore",
    "Scam alert? Text from {phone_ukmob}: 'Rho Bank: payment of {amount_gbp} to {iban} pending. If not you "
    "reply with code {otp}'. I did not reply.",
    "i'm really sorry to bother you but my mum's card {card} has been used and she's {age}, her pin is "
    "{pin} and she wrote it on a post-it in her purse which got nicked at {merchant} on {date_words}",
    "Hi! I want to pay off my credit card {card} from my other bank account, {iban}. Do I need a "
    "reference? my customer email is {email}",
    "Opening a business account. Director: {name}, NI number {nino}, email {email}, phone {phone_uk}. "
    "Company registered in {year}.",
]

NEAR_MISS_TEMPLATES = [
    "I was charged {amount_gbp} twice at {merchant} on {date}. card ending {last4}. pls refund one",
    "any update on ticket #{ticket}? opened it {date_words} and nobody has replied",
    "Case {case} — it's been {count} weeks. This is ridiculous.",
    "Transaction {txref} for {amount_usd} shows as pending since {date_iso}. When will it clear?",
    "My order {order} from {merchant} never came and they say the bank has to refund",
    "The one ending in {last4} is the card I want to cancel, not the other one",
    "why is my card {masked} declined at every shop today",
    "Parcel tracking {badluhn} says delivered but my new card never arrived",
    "payment reference {badiban} - is that the right format for paying my invoice?",
    "I've been with Rho since {year} and this is the worst service I've had",
    "the app (version {version}) crashes every time I open the cards tab. iphone, updated today",
    "Why did my savings rate drop from {pct} to {pct}?",
    "I moved to {postcode} last month, do I need to tell you?",
    "Can I withdraw {amount_gbp} in cash at a branch on {date_words}? Need it by {time}.",
    "overdraft fee of {amount_gbp} on {date} - I was only overdrawn by {amount_gbp} for {count} hours",
    "I booked a flight for {amount_eur} on {date_iso} with {merchant} and they cancelled. booking ref "
    "{bookref}. refund?",
    "my statement for {month} shows {count} payments to {merchant} but I only bought one thing",
    "Direct debit to {merchant} for {amount_gbp} went out on {date} but I cancelled it on {date}!!",
    "error code {errcode} when I try to transfer money. tried {count} times since {time}",
    "Hi, I'd like to increase my daily transfer limit to {amount_gbp}. Is that possible?",
    "the cash machine on {street} gave me {amount_gbp} less than I asked for at {time} on {date}. receipt "
    "says transaction no {atmref}",
    "Claim number {badluhn} from the insurance, they said to give it to you for the chargeback",
    "Whats the interest on a {amount_gbp} loan over {count} years? website says {pct} APR",
    "when will my new card arrive? ordered it {date_words}. it's been {count} days",
    "so i paid {amount_usd} to {merchant} on {date} and got charged {amount_usd} instead. invoice number "
    "{invoice}",
    "I got a letter dated {date} about a change to my account terms. what's changing?",
    "My mortgage payment of {amount_gbp} is due on the {day_ord}. Can I move it to the {day_ord}?",
    "Refund of {amount_eur} from {merchant}, their ref {txref}, still not in my account",
    "Was charged a {pct} fee on a {amount_usd} purchase abroad, how?",
    "i have {count} cards with you, the ones ending {last4} and {last4}. Need to close the first.",
    "Hi, I'm going to {city} from {date} to {date}, please don't block my card ending {last4}",
    "App update {version} logged me out and now face ID doesn't work",
    "ISA allowance this year is {amount_gbp} right? I put in {amount_gbp} in {month}",
    "The shop gave me a receipt with auth code {authcode} but the money is gone from my account",
    "consignment number {badluhn}. The courier said my card was returned to sender",
    "{count} failed login attempts and now I'm locked out. What happens now?",
    "Transfer of {amount_eur} to my sister in {city} arrived as {amount_eur}?? rate was supposed to be "
    "{rate}",
    "I paid my council tax {amount_gbp} on {date}, their reference {refnum9}, and they say they never got it",
    "Tracking ref {refnum9} for the card delivery isn't recognised by the courier",
    "My payslip shows {amount_gbp} but only {amount_gbp} arrived on {date}",
    "Can I get a statement from {month} {year}?",
    "How long does a chargeback take? Case {case} opened on {date}",
    "i'll be at the branch on {street} at {time} tomorrow, do i need an appointment",
    "There's a {amount_usd} charge from '{merchant} {storeno}' on {date} that I don't recognise. Card "
    "ending {last4}",
    "Why does my balance show {amount_gbp} when I had {amount_gbp} this morning at {time}?",
    "paid {amount_eur} for a hotel in {city}, reservation {bookref}, and they charged me again at checkout",
    "is there a fee for paying off my credit card early? balance is {amount_gbp}, rate {pct}",
    "my card {masked} was kept by the ATM at {time} today at {merchant}",
    "Reference {badiban} appears on my statement next to a {amount_eur} debit. What is it?",
    "Mandate reference {badiban}, creditor {merchant}. I want to cancel this direct debit",
    "my new card (ending {last4}) arrived, old one ended {last4}. do I need to destroy the old one?",
    "got charged {amount_gbp} by '{merchant}' on {date} at {time} while I was asleep!!",
    "Why was my transfer limit reduced to {amount_gbp}? I've sent more than that {count} times before",
    "loan application #{ticket} — submitted {date_iso}, still 'under review'",
    "Invoice {invoice} for {amount_eur} was paid twice on {date}, please recall one",
    "Version {version} of the app doesn't show pending transactions, was that removed?",
    "Do you have a branch near {postcode}? The one in {city} closed.",
    "i want to dispute {count} transactions from {merchant} totalling {amount_usd}",
    "I'm {age} and want to open a junior account for my kid who's {kidage}",
    "Cashback was supposed to be {pct} but I only got {amount_gbp} on {amount_gbp} spend",
    "the reward points say {points} but last month it was {points}",
    "My rent of {amount_gbp} bounced on {date}, landlord charged me a {amount_gbp} late fee. ref {txref}",
    "Hi, does the {pct} rate on the fixed saver apply to deposits over {amount_gbp}?",
    "I sent {amount_gbp} on {date} at {time} and the recipient still doesn't have it. Transaction id {txref}",
    "why did the exchange rate on my {amount_eur} purchase come out at {rate}?",
    "order {order}: refunded {amount_usd} on {date}, not on my statement yet",
    "Booking reference {bookref}, {merchant}, {amount_gbp}. Flight cancelled, airline says refund was sent "
    "{date_words}",
    "Card {masked} keeps being declined for contactless over {amount_gbp}. is that the limit?",
    "My daughter is {kidage} and wants her own card. What's the minimum age?",
    "the ATM said 'transaction declined code {errcode}' then kept my card",
    "hi the branch at {postcode} said to message about case {case}",
    "Your app shows my balance as {amount_gbp} but the statement from {date_iso} says {amount_gbp}",
    "Please explain charge '{merchant}*{txshort}' {amount_usd} on {date}",
    "I've been waiting since {time} for someone to answer the chat. ticket #{ticket}",
    "my parcel with the card, tracking {badluhn}, was sent to my old address",
    "I got {count} texts this morning saying a payment of {amount_gbp} was declined but I didn't try to "
    "pay anything",
    "Claim ref {badluhn} - the insurer paid {amount_gbp} on {date}. should be in my account by now",
    "Hi, Im on holiday in {city} till the {day_ord}. card ending in {last4} won't work in shops",
    "The {year} tax statement is missing from my documents",
    "I was quoted {pct} on the personal loan but the contract says {pct}",
    "Reference number on the letter is {refnum9}, it says I owe {amount_gbp}?",
    "Moved from {postcode} to {postcode}, do I need new cards?",
    "Spent {amount_eur} on {date} in {city} and got charged {amount_gbp} plus a fee of {amount_gbp}. your "
    "website says {pct}.",
    "order number {order} – merchant refunded, I have email confirmation from {date}",
    "Still waiting on case {case}. I called {count} times. Each time on hold for {count} minutes.",
    "i get error {errcode} on android {version} when opening the app",
    "Could you send me a breakdown of the {amount_gbp} fees charged in {month}?",
    "I've got {count} direct debits going out on the {day_ord}, can they all move to the {day_ord}",
    "ticket #{ticket}, ticket #{ticket} and case {case} are all about the same problem. please merge",
    "dispute for txn {txref} ({amount_usd}, {date}) was rejected, I want to appeal",
    "the card that ends {last4} expired {expiry} and I never got a new one",
    "Delivery ref {badluhn}. Says 'signed for' on {date} but nobody here signed anything",
    "Your letter quotes reference {badiban}. I don't understand what I'm supposed to do with it",
    "Please send the {year} interest certificate. my SSN ends in {last4} if that helps find me",
    "I was born {dob}, does that mean I can't open the young saver any more?",
    "paid {amount_gbp} deposit for a sofa at {merchant}, order {order}, shop went bust. Can I claim?",
    "Standing order of {amount_gbp} every {weekday} - can I change it to monthly from {date_words}?",
    "Why was I charged interest at {pct} when my balance was only {amount_gbp} for {count} days?",
    "hi, ticket {ticket}: someone from your team said they'd call back by {time}. still waiting",
    "transaction ref {txref} shows '{merchant}' for {amount_eur} but I was in {city} that day",
    "Exchange rate was {rate} on {date_iso} but I got charged as if it was {rate}",
    "Is the branch on {street} open on {weekday}s? I need to pay in a cheque for {amount_gbp}",
    "My {kidage} year old got a birthday cheque for {amount_gbp}. can we pay it into his account?",
    "Page says 'maintenance until {time}'. It's now {time}. Is online banking down?",
    "card **{last4} expired, new one still not here after {count} days. Delivery ref {refnum9}",
    "statement dated {date} shows an opening balance of {amount_gbp} and closing of {amount_gbp}. where "
    "did it go",
    "I'm on app version {version} and the savings pot shows {pct} instead of the advertised {pct}",
    "hey, {count} payments to {merchant} of {amount_usd} each on {date}. only meant to pay once!!",
    "My policy number with the insurer is {num8}, they said you'd need it for the claim on my card ending "
    "{last4}",
    "The courier's reference is {num8} and they say the card was delivered on {date}. It wasn't.",
    "membership no. {num8} at {merchant} - they charged me {amount_gbp} after I cancelled in {month}",
    "my claim with the travel insurer ({num8}) says they paid {amount_eur} on {date_iso}, where is it?",
    "the {count} most recent payments under {amount_gbp} are fine, it's the {amount_gbp} one on {date} I "
    "dispute",
    "order no. {num8} from {merchant}, {amount_gbp}, paid {date_words}. parcel never came, shop ignoring me",
    "tracking for my replacement card: {badluhn}. it's been stuck at the depot since {date}",
    "My insurance claim reference is {badluhn}, they asked for a bank letter confirming the {amount_gbp} "
    "payout",
    "Booking confirmation {badluhn} - the hotel in {city} charged {amount_eur} twice",
    "ref: {badluhn}\namount: {amount_gbp}\ndate: {date}\nthis payment shows twice in my app",
    "the parking fine says pay {amount_gbp} quoting {badluhn}, is this a scam?",
    "utility customer reference {badluhn} has to go with the payment of {amount_gbp}, where do I put it",
    "Transaction ID {badluhn} on my receipt from {merchant}, they say the refund was processed on {date}",
    "the shop's refund reference is {badluhn}. still nothing after {count} days",
    "Our reference: {badiban}. Please quote this on all correspondence. <- that's what the letter says, "
    "who is it from?",
    "The creditor reference on the direct debit is {badiban}, can you block them?",
    "End-to-end reference {badiban} - what does that mean on my statement?",
    "payment ref {badiban} from {merchant} for {amount_eur}, is it a refund?",
    "the invoice says 'Ref: {badiban}' and an amount of {amount_eur}, do I put that in the reference field?",
    "Got a letter quoting file reference {badiban} about a debt of {amount_gbp} I don't know anything about",
]

CLEAN_TEMPLATES = [
    "how do i freeze my card in the app?",
    "can I change the design on my debit card",
    "Is the branch open on bank holidays?",
    "what's the difference between a standing order and a direct debit",
    "my app keeps logging me out, really annoying",
    "How do I add my partner to my account?",
    "thank you so much for your help earlier!!",
    "Do you offer mortgages for first time buyers?",
    "where can i find my statements",
    "I want to speak to a human please",
    "can you explain what a pending transaction is",
    "My card's chip is damaged, can I get a replacement?",
    "how do i turn off gambling payments",
    "Why is my account showing 'restricted'?",
    "I need a letter confirming my address for the council",
    "ok thanks, that fixed it",
    "what are your opening hours over christmas",
    "Please stop sending me marketing emails.",
    "is it safe to give my card details over the phone to a company?",
    "Do you have a student account?",
    "how can I report a lost card?",
    "someone keeps calling me pretending to be from the bank, what should I do?",
    "I forgot my password, how do I reset it?",
    "can i get paper statements instead of online ones",
    "what documents do I need to open an account",
    "My partner died recently and I don't know what to do about our joint account",
    "the chat keeps disconnecting, this is my third time explaining",
    "Hello? Is anyone there?",
    "How do I set up a new payee?",
    "can I use my card abroad without telling you first",
    "Why do you keep asking me to verify my identity? I've done it already",
    "does the app work on tablets",
]

GREETINGS = [
    "Hi, ",
    "hi ",
    "Hello, ",
    "hello ",
    "Hey! ",
    "hey ",
    "Good afternoon,\n",
    "Hi there - ",
    "Morning. ",
]
SIGNOFFS = [" thanks", " thanks!", "\n\nThanks,\n{firstname}", " cheers", " ty", "\nRegards, {name}",
            " pls help", " 🙏", " Thank you.", "\n\n{firstname} {lastname}"]  # fmt: skip
SLOT_RE = re.compile(r"\{([a-z0-9_]+)\}")


def decorate(tpl: str, rng: random.Random) -> str:
    head = tpl.lstrip("{").lower()
    if rng.random() < 0.3 and not re.match(r"(hi|hello|hey|good|dear|bonjour|ok|yes|lo siento)\b", head):
        g = rng.choice(GREETINGS)
        if tpl[:1].isupper() and tpl[1:2].islower() and g.endswith(", ") and rng.random() < 0.5:
            tpl = tpl[0].lower() + tpl[1:]
        tpl = g + tpl
    signed = re.search(r"(thanks|thank you|regards|\{name\}|\{firstname\}|help)\W*$", tpl, re.I)
    if rng.random() < 0.25 and not signed:
        tpl = tpl + rng.choice(SIGNOFFS)
    return tpl


def render(tpl: str, rng: random.Random) -> tuple[str, list[dict], int, list[str]]:
    st = State(rng)
    parts: list[str] = []
    spans: list[dict] = []
    pos = last = 0
    for m in SLOT_RE.finditer(tpl):
        lit = tpl[last : m.start()]
        parts.append(lit)
        pos += len(lit)
        name = m.group(1)
        if name in PII_SLOTS:
            typ, fn = PII_SLOTS[name]
            val = fn(st)
            spans.append({"type": typ, "start": pos, "end": pos + len(val)})
        elif name in NEAR_SLOTS:
            val = NEAR_SLOTS[name](st)
            st.near_misses += 1
            st.near_slots.append(name)
        else:
            val = FILL_SLOTS[name](st)
        parts.append(val)
        pos += len(val)
        last = m.end()
    parts.append(tpl[last:])
    return "".join(parts), spans, st.near_misses, st.near_slots


def slot_types(tpl: str) -> set[str]:
    return {PII_SLOTS[n][0] for n in SLOT_RE.findall(tpl) if n in PII_SLOTS}


# ---------------------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------------------

CARD_PREFIX = re.compile(r"4|5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|6011|65|64[4-9]")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE_RE = re.compile(r"\+?[\d(][\d ().-]*\d")


def value_ok(typ: str, v: str) -> bool:
    if typ == "card_number":
        if not re.fullmatch(r"\d{15,16}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5}", v):
            return False
        d = re.sub(r"\D", "", v)
        amex = d[:2] in ("34", "37")
        return luhn_ok(d) and bool(CARD_PREFIX.match(d)) and len(d) == (15 if amex else 16)
    if typ == "iban":
        return iban_ok(v) and (
            " " not in v or re.fullmatch(r"([A-Za-z0-9]{4} )+[A-Za-z0-9]{1,4}", v) is not None
        )
    if typ == "account_number":
        return re.fullmatch(r"\d{6,12}", v) is not None
    if typ == "sort_code":
        return re.fullmatch(r"\d{2}([- ]?)\d{2}\1\d{2}", v) is not None
    if typ == "routing_number":
        return aba_ok(v) and int(v[:2]) in set(range(1, 13)) | set(range(21, 33)) | set(range(61, 73))
    if typ == "national_id":
        nino_shape = r"[A-Za-z]{2}( ?\d{2}){3} ?[A-Da-d]|[A-Z]{2} \d{6} [A-D]"
        return ssn_ok(v) or (nino_ok(v) and re.fullmatch(nino_shape, v) is not None)
    if typ == "email":
        return EMAIL_RE.fullmatch(v) is not None
    if typ == "phone":
        return PHONE_RE.fullmatch(v) is not None and 10 <= len(re.sub(r"\D", "", v)) <= 13
    if typ == "otp":
        return re.fullmatch(r"\d{4,8}|\d{3} \d{3}", v) is not None
    if typ == "password":
        return re.fullmatch(r"\S{6,}", v) is not None and re.search(r"[A-Za-z]", v) is not None
    if typ == "pin":
        return re.fullmatch(r"\d{4,6}", v) is not None
    raise ValueError(typ)


def check(records: list[dict]) -> None:
    texts = set()
    for i, rec in enumerate(records, 1):
        assert rec["id"] == f"s{i:04d}", rec["id"]
        text = rec["text"]
        assert text not in texts, f"duplicate text {rec['id']}"
        texts.add(text)
        prev_end = -1
        masked_text = list(text)
        for sp in rec["pii"]:
            assert sp["type"] in TYPES
            s, e = sp["start"], sp["end"]
            assert 0 <= s < e <= len(text)
            assert s >= prev_end, f"overlap or unsorted in {rec['id']}"
            prev_end = e
            v = text[s:e]
            assert v == v.strip() and v[-1] not in ".,;:!?)" or sp["type"] == "password", (rec["id"], v)
            assert value_ok(sp["type"], v), (rec["id"], sp["type"], v)
            before = text[s - 1] if s > 0 else " "
            after = text[e] if e < len(text) else " "
            if sp["type"] == "password":
                assert not before.isalnum() and (after.isspace() or after in "'\")"), (rec["id"], v, after)
            elif sp["type"] == "email":
                assert not re.match(r"[\w.@+-]", before) and not re.match(r"[\w@+-]", after), (rec["id"], v)
            else:
                assert not before.isalnum() and not after.isalnum() and before != "+", (rec["id"], v)
            for k in range(s, e):
                masked_text[k] = "#"
        rest = "".join(masked_text)
        # Nothing outside the spans may pass a check a detector would rightly trust on its own.
        assert "@" not in rest, (rec["id"], rest)
        for m in re.finditer(r"(?<![\w-])(\d(?:[ -]?\d){12,18})(?![\w])", rest):
            d = re.sub(r"\D", "", m.group(1))
            assert not (len(d) in (15, 16) and luhn_ok(d) and CARD_PREFIX.match(d)), (rec["id"], m.group(1))
        for m in re.finditer(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?\b", rest):
            assert not iban_ok(m.group(0)), (rec["id"], m.group(0))
        for m in re.finditer(r"(?<![\d-])\d{9}(?![\d-])", rest):
            assert not aba_ok(m.group(0)), (rec["id"], m.group(0))
        assert not re.search(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])", rest), rec["id"]
        for m in re.finditer(r"\b[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b", rest):
            assert not nino_ok(m.group(0)), (rec["id"], m.group(0))
    # The file on disk parses back to the same records.
    with OUT.open(encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert [json.loads(line) for line in lines] == records


# ---------------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------------


NEAR_FAMILIES = {
    "money amounts": ["amount_gbp", "amount_usd", "amount_eur"],
    "dates and times": ["date", "date_iso", "date_words", "time", "expiry", "dob", "month", "day_ord"],
    "ticket, case, order, transaction and other references": [
        "ticket", "case", "txref", "order", "invoice", "bookref", "atmref", "txshort", "authcode", "storeno",
        "num8", "refnum9", "errcode",
    ],
    "last four digits and masked card numbers": ["last4", "masked"],
    "16-digit numbers failing Luhn (tracking, claim, delivery refs)": ["badluhn"],
    "IBAN-shaped references with wrong check digits": ["badiban"],
    "counts, ages, points, exchange rates": ["count", "age", "kidage", "points", "rate"],
    "percentages": ["pct"],
    "years": ["year"],
    "postcodes": ["postcode"],
    "version numbers": ["version"],
}  # fmt: skip


def build() -> tuple[list[dict], int, Counter[str]]:
    rng = random.Random(SEED)
    for tpl in PII_TEMPLATES + NEAR_MISS_TEMPLATES + CLEAN_TEMPLATES:
        for n in SLOT_RE.findall(tpl):
            assert n in PII_SLOTS or n in NEAR_SLOTS or n in FILL_SLOTS, (n, tpl)
    assert all(slot_types(t) for t in PII_TEMPLATES)
    assert not any(slot_types(t) for t in NEAR_MISS_TEMPLATES + CLEAN_TEMPLATES)
    assert all(any(n in NEAR_SLOTS for n in SLOT_RE.findall(t)) for t in NEAR_MISS_TEMPLATES)
    assert not any(SLOT_RE.search(t) for t in CLEAN_TEMPLATES)
    all_templates = PII_TEMPLATES + NEAR_MISS_TEMPLATES + CLEAN_TEMPLATES
    assert len(set(all_templates)) == len(all_templates), "duplicate template"

    seen: set[str] = set()
    out: list[tuple[str, list[dict], int]] = []
    near: Counter[str] = Counter()
    counts: Counter[str] = Counter()

    def emit(tpl: str) -> None:
        while True:
            text, spans, nm, slots = render(decorate(tpl, rng), rng)
            if text not in seen:
                break
        seen.add(text)
        near.update(slots)
        out.append((text, spans, nm))
        counts.update(sp["type"] for sp in spans)

    # Every sensitive template three times, then top up the scarcest type, then fill at random.
    for _ in range(3):
        for tpl in PII_TEMPLATES:
            emit(tpl)
    by_type = {t: [tpl for tpl in PII_TEMPLATES if t in slot_types(tpl)] for t in TYPES}
    while True:
        short = [t for t in TYPES if counts[t] < MINIMUM[t]]
        if not short:
            break
        t = min(short, key=lambda t: counts[t] / MINIMUM[t])
        emit(rng.choice(by_type[t]))
    while len(out) < PII_MESSAGES:
        emit(rng.choice(PII_TEMPLATES))
    n_pii = len(out)
    pool: list[str] = []
    while len(out) - n_pii < NEAR_MISS_ONLY_MESSAGES:
        if not pool:
            # Templates with the hardest near misses (failing Luhn, wrong IBAN check digits) come up twice.
            pool = [t for t in NEAR_MISS_TEMPLATES for _ in range(2 if re.search(r"\{bad", t) else 1)]
            rng.shuffle(pool)
        emit(pool.pop())
    for tpl in CLEAN_TEMPLATES:
        emit(tpl)

    rng.shuffle(out)
    near_only = sum(1 for _, spans, nm in out if not spans and nm)
    return (
        [{"id": f"s{i:04d}", "text": text, "pii": spans} for i, (text, spans, _) in enumerate(out, 1)],
        near_only,
        near,
    )


def main() -> None:
    records, near_only, near = build()
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    check(records)

    counts = Counter(sp["type"] for rec in records for sp in rec["pii"])
    with_pii = [r for r in records if r["pii"]]
    multi = sum(1 for r in with_pii if len({sp["type"] for sp in r["pii"]}) >= 2)
    print(f"wrote {OUT.name}: {len(records)} messages")
    print(f"templates: {len(PII_TEMPLATES)} with sensitive data, {len(NEAR_MISS_TEMPLATES)} near-miss only, "
          f"{len(CLEAN_TEMPLATES)} plain")  # fmt: skip
    print(f"messages with sensitive data: {len(with_pii)} ({multi} with two or more types)")
    print(f"messages with near misses only: {near_only}")
    print(f"messages with neither: {len(records) - len(with_pii) - near_only}")
    for t in TYPES:
        print(f"  {t:15} {counts[t]:4}")
    print(f"  {'total':15} {sum(counts.values()):4}")
    print("near misses (unlabelled):")
    for fam, slots in NEAR_FAMILIES.items():
        print(f"  {sum(near[s] for s in slots):4}  {fam}")
    assert sorted(s for slots in NEAR_FAMILIES.values() for s in slots) == sorted(NEAR_SLOTS)
    for t in TYPES:
        assert counts[t] >= MINIMUM[t], t
    assert near_only >= 250


if __name__ == "__main__":
    sys.exit(main())
