"""Time-based one-time codes (RFC 6238, 30-second steps, 6 digits) with pyotp.

A code is accepted for the current step and one step either side (clock drift), and only for a
step later than the last accepted one, so an observed code cannot be used again (ASVS 2.8.4/2.8.5).
"""

import hmac
import re
import time

import pyotp

WINDOW = 1  # steps either side of now
# [0-9], not \d: \d also matches other scripts' digits ("٣٣٣٣٣٣"), which compare_digest refuses
# with a TypeError (a 500) instead of a plain mismatch.
CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    """160 random bits in base32, the form authenticator apps expect."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """`ABCD EFGH …`: easier to type over into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def current_step(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // 30


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The step (now or one either side) whose code `code` is, else None. The caller refuses a
    step at or before the last accepted one."""
    code = (code or "").replace(" ", "")
    if not CODE.match(code):
        return None
    totp, step = pyotp.TOTP(secret), current_step(now)
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if hmac.compare_digest(totp.at(candidate * 30), code):
            return candidate
    return None
