"""The latest bench figures as a Markdown table (for docs/performance.md):
`.venv/bin/python tools/bench/report.py [build/bench/results.jsonl]`."""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "build" / "bench" / "results.jsonl"
PAGES = ("caseload", "minimal_caseload", "case_detail", "escalation_queue", "write_transitions",
         "monitor_region")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    latest: dict[tuple, dict] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if "page" in row:
            latest[(row["database"], row["cases"], row["page"])] = row
    print("| database | cases | page | p50 ms | p95 ms | p99 ms | req/s | peak RSS MB | load |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for (database, cases, page), row in sorted(latest.items(), key=_order):
        if page not in PAGES:
            continue
        if "skipped" in row:
            print(f"| {database} | {cases:,} | {page} | {row.get('single_request_ms', '–')} "
                  f"(one request) | – | – | – | {row.get('worker_peak_rss_mb', '–')} | – |")
            continue
        rate = row.get("transitions_per_s", row["requests_per_s"])
        if "first_view_ms" in row:
            page = f"{page} (first view {row['first_view_ms'] / 1000:.1f} s)"
        print(f"| {database} | {cases:,} | {page} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
              f"{row['p99_ms']:.0f} | {rate} | {row['worker_peak_rss_mb']} | "
              f"{row.get('load_before', '–')} |")
    _notes(latest)


def _notes(latest: dict) -> None:
    """The lines under the table: the ratio, the warm run, the server log."""
    for (database, cases, page), row in sorted(latest.items(), key=_order):
        if page == "caseload_vs_minimal":
            print(f"\ncaseload / minimal requests per second, {database} {cases:,}: "
                  f"{row['ratio']:.2f}", end="")
        if page == "monitor_warm":
            print(f"; flask monitor warm: {row['seconds']} s, {row['cpu_s']} s CPU, "
                  f"peak {row['peak_rss_mb']} MB", end="")
        if page == "server_log":
            print(f"; 'database is locked': {row['database_is_locked']}", end="")
    print()


def _order(item):
    (database, cases, page), _ = item
    return (database != "sqlite", cases, PAGES.index(page) if page in PAGES else 99)


if __name__ == "__main__":
    main()
