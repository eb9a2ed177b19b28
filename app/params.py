"""Ids in query strings: parsed once, the same way for every filter."""

from flask import abort, request


def is_id(raw: str) -> bool:
    """ASCII digits that fit the integer columns ("²".isdigit() is true too, and a 30-digit
    number overflows PostgreSQL's integer: both were a 500)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 9


def id_arg(name: str) -> int | None:
    """The id in query parameter `name`, None when absent; 400 when it is no id."""
    raw = request.args.get(name) or None
    if raw is None:
        return None
    if not is_id(raw):
        abort(400)
    return int(raw)
