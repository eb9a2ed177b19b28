"""Audit trail (NEN 7513 style): every view, search, change and refusal of a case."""
