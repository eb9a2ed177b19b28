"""The password policy (ASVS 2.1): length only, no composition rules, no common or personal words.

A password is compared with a bundled list of the commonest (and most often breached) passwords,
case-insensitively and without the digits and punctuation people put around a word
(`Welkom2026!` is `welkom`). The list is small on purpose: no network call, no large file.
"""

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
# Name and address parts shorter than this (`de`, `van`, `ib`) say nothing about a password.
MIN_PERSONAL_PART = 4

ADVICE = ("Kies bijvoorbeeld een zin van vier of meer woorden die niets met u of uw werk te "
          "maken heeft.")
TOO_SHORT = f"Een wachtwoord heeft minstens {MIN_LENGTH} tekens. {ADVICE}"
TOO_LONG = f"Een wachtwoord heeft hoogstens {MAX_LENGTH} tekens."
TOO_COMMON = ("Dit wachtwoord wordt te vaak gebruikt (of staat in gelekte lijsten) en is "
              f"makkelijk te raden, ook met cijfers of leestekens ervoor of erachter. {ADVICE}")
TOO_PERSONAL = f"Een wachtwoord mag uw naam of e-mailadres niet bevatten. {ADVICE}"

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_PARTS = re.compile(r"[^\w]+|_")
# One short piece over and over (`aaaaaaaaaaaa`, `abcabcabcabc`), or any word (`welkomwelkom`).
_SHORT_REPEAT = re.compile(r"^(.{1,4})\1+$", re.S)
_REPEAT = re.compile(r"^(.+?)\1+$", re.S)


class PasswordRefused(ValueError):
    """The password does not meet the policy; the message is Dutch and says what to do."""


def normalise(password: str) -> str:
    """Lower case, without the digits and punctuation at the start and end."""
    return _EDGES.sub("", password.strip().lower())


@cache
def common_words() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in (normalise(line) for line in lines if not line.startswith("#"))
                     if w)


def is_common(password: str) -> bool:
    word = normalise(password)
    if not word or _SHORT_REPEAT.match(word):
        return True  # only digits and punctuation, or one short piece repeated
    repeated = _REPEAT.match(word)
    return word in common_words() or (repeated is not None and repeated.group(1) in common_words())


def personal_parts(email: str | None, name: str | None) -> set[str]:
    local = (email or "").partition("@")[0].lower()
    parts = _PARTS.split(local) + _PARTS.split((name or "").lower())
    parts.append(_PARTS.sub("", local))
    return {p for p in parts if len(p) >= MIN_PERSONAL_PART}


def check(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """Raise PasswordRefused with the reason, or return when the password may be used."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(TOO_LONG)
    if is_common(password):
        raise PasswordRefused(TOO_COMMON)
    lowered = password.lower()
    if any(part in lowered for part in personal_parts(email, name)):
        raise PasswordRefused(TOO_PERSONAL)
