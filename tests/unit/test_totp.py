"""TOTP codes (RFC 6238): the window of one step either side, and nothing else."""

import pyotp
import pytest

from app.auth import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015  # a moment inside step 60_000_000


def code_at(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * 30)


def test_the_current_code_names_its_step():
    assert totp.matching_step(SECRET, code_at(60_000_000), now=NOW) == 60_000_000


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_clock_drift_either_way_is_accepted(drift):
    assert totp.matching_step(SECRET, code_at(60_000_000 + drift), now=NOW) == 60_000_000 + drift


@pytest.mark.parametrize("drift", [-3, -2, 2, 3])
def test_older_or_later_codes_are_refused(drift):
    assert totp.matching_step(SECRET, code_at(60_000_000 + drift), now=NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5", None])
def test_anything_but_six_digits_is_refused(code):
    assert totp.matching_step(SECRET, code, now=NOW) is None


def test_a_code_typed_with_a_space_is_read():
    code = code_at(60_000_000)
    assert totp.matching_step(SECRET, f"{code[:3]} {code[3:]}", now=NOW) == 60_000_000


def test_new_secrets_are_random_base32_for_apps():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) == 32
    assert totp.grouped("ABCDEFGHIJKL") == "ABCD EFGH IJKL"
    uri = totp.provisioning_uri(first, "ilse@school.example", "Schakel")
    assert uri.startswith("otpauth://totp/Schakel:ilse%40school.example?secret=" + first)
    assert "issuer=Schakel" in uri
