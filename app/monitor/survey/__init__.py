"""Survey rounds: the AOJ-style questionnaire answered anonymously through single-use links,
reported beside the case-derived figures ("ervaren" naast "gemeten"). docs/monitor.md,
"Enquêterondes"."""
