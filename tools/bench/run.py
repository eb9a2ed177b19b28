"""`make bench`: Schakel under load, on loopback, at 10k, 100k and 1M cases.

For each size in BENCH_SIZES (default "10000 100000 1000000"): seed the database with
`flask bench seed` or reuse it (SQLite files under build/bench/; with DATABASE_URL set to a
PostgreSQL URL, one database per size named `<that database>_<size>`), `flask db upgrade` it,
start Schakel under gunicorn (2 workers) and the minimal Flask + SQLAlchemy endpoint
(tools/bench/minimal.py, 2 workers) on free 127.0.0.1 ports, log in 8 clients per role
through password and TOTP, and drive each page with wrk for BENCH_SECONDS (default 15) with 8
connections. Prints one JSON line per measurement (also appended to build/bench/results.jsonl).

Loopback only, bounded in time: every request goes to 127.0.0.1, every wrk run stops after
BENCH_SECONDS, and the servers are stopped at the end of each size.
"""

import json
import os
import platform
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

import clients  # noqa: E402
from servers import Server, flask, flask_measured, free_port, peak_rss_mb  # noqa: E402

BUILD = ROOT / "build" / "bench"
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000 100000 1000000").split()]
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CLIENTS = 8
DETAIL_CASES = 200  # case pages the detail benchmark rotates through
MONITOR_FIRST_VIEW_LIMIT_S = 600  # the first view at 1M counts the region: minutes


def main() -> None:
    BUILD.mkdir(parents=True, exist_ok=True)
    results = BUILD / "results.jsonl"
    print(json.dumps({"machine": machine()}), flush=True)
    for cases in SIZES:
        url = database_for(cases)
        with results.open("a") as out:
            for line in bench_size(cases, url):
                text = json.dumps(line)
                print(text, flush=True)
                out.write(text + "\n")


def machine() -> dict:
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    facts = {"cores": os.cpu_count(), "memory_gb": round(int(memory.split()[1]) / 1024**2, 1),
             "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
             "cpu": _cpu(), "at": time.strftime("%Y-%m-%d %H:%M")}
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        facts["postgresql"] = clients.pg_version()
    return facts


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


# --- the database --------------------------------------------------------------------------------


def database_for(cases: int) -> str:
    """The URL of the bench database of this size, seeded (or reused) and upgraded."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgresql"):
        url = f"{base}_{cases}"
        clients.ensure_pg_database(url)
    else:
        url = f"sqlite:///{BUILD / f'cases-{cases}.db'}"
    if seeded_cases(url) != cases:
        if url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{BUILD / f'cases-{cases}.db'}{suffix}").unlink(missing_ok=True)
        else:
            clients.recreate_pg_database(url)
        flask(["db", "upgrade"], url)
        started = time.perf_counter()
        flask(["bench", "seed", "--cases", str(cases)], url, echo=True)
        print(json.dumps({"seed": cases, "database": _kind(url),
                          "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    else:
        flask(["db", "upgrade"], url)
    return url


def _kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def seeded_cases(url: str) -> int | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.execute(sa.text("SELECT COUNT(*) FROM region WHERE code = 'BENCH'")) \
                    .scalar():
                return None
            return conn.execute(sa.text("SELECT COUNT(*) FROM pupil_case")).scalar()
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def facts(url: str) -> dict:
    """Ids the benchmarks need: the bench school, cases to show, the write pool."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            q = lambda sql, **p: conn.execute(sa.text(sql), p).all()  # noqa: E731
            school = q("SELECT m.school_id FROM membership m JOIN app_user u ON u.id = m.user_id "
                       "WHERE u.email LIKE 'bench.ib1@%'")[0][0]
            writes = q("SELECT m.school_id FROM membership m JOIN app_user u ON u.id = m.user_id "
                       "WHERE u.email LIKE 'bench.schrijf1@%'")[0][0]
            detail = [r[0] for r in q(
                "SELECT id FROM pupil_case WHERE school_id = :s AND state <> 'closed' "
                "ORDER BY last_activity_at DESC LIMIT :n", s=school, n=DETAIL_CASES)]
            pool = q("SELECT id, version, state FROM pupil_case WHERE school_id = :s ORDER BY id",
                     s=writes)
            steps = q("SELECT COUNT(*) FROM case_transition t JOIN pupil_case c "
                      "ON c.id = t.case_id WHERE c.school_id = :s", s=writes)[0][0]
        return {"school": school, "write_school": writes, "detail": detail, "pool": pool,
                "steps": steps}
    finally:
        engine.dispose()


# --- one size ------------------------------------------------------------------------------------


def bench_size(cases: int, url: str):
    info = facts(url)
    log = BUILD / f"gunicorn-{_kind(url)}-{cases}.log"
    app = Server("wsgi:app", free_port(), url, log)
    minimal = Server("minimal:app", free_port(), url,
                     BUILD / f"minimal-{_kind(url)}-{cases}.log")
    clients.remember_steps(url)
    with app, minimal:
        base = f"http://127.0.0.1:{app.port}"
        school = clients.login_all(base, "bench.ib", CLIENTS)
        coord = clients.login_all(base, "bench.coord", CLIENTS)
        writers = clients.login_all(base, "bench.schrijf", CLIENTS)
        common = {"cases": cases, "database": _kind(url), "concurrency": CLIENTS,
                  "workers": 2}
        runs = [
            ("caseload", app, ["/cases/"], school),
            ("minimal_caseload", minimal, [f"/caseload?school={info['school']}"], []),
            ("case_detail", app, [f"/cases/{i}" for i in info["detail"]], school),
            ("escalation_queue", app, ["/escalaties/"], coord),
        ]
        results = {}
        for page, server, paths, sessions in runs:
            load = loadavg()
            line = clients.run_wrk(server.port, "get.lua", {
                "cookies": [s.cookie for s in sessions], "paths": paths,
                "user_agent": clients.USER_AGENT}, SECONDS)
            results[page] = line
            yield {"page": page, **common, **line, "worker_peak_rss_mb": peak_rss_mb(server),
                   "load_before": load}
        yield write_run(app, url, info, writers, common)
        yield {"page": "caseload_vs_minimal", **common,
               "ratio": round(results["caseload"]["requests_per_s"]
                              / results["minimal_caseload"]["requests_per_s"], 3),
               "target": ">= 0.40"}
        # As in production, where a timer runs it every minute: the writes above changed the
        # region, so `flask monitor warm` counts it and stores the figures the views then read.
        yield {"page": "monitor_warm", **common, **flask_measured(["monitor", "warm"], url),
               "load_before": loadavg()}
        # Last: a slow monitor keeps the workers busy after wrk stops; the servers stop next.
        yield monitor_run(app, coord, common)
        locked = app.log.read_text(errors="replace").count("database is locked")
        yield {"page": "server_log", **common, "database_is_locked": locked,
               "errors_logged": app.log.read_text(errors="replace").count("Traceback")}


def loadavg() -> float:
    """The machine's 1-minute load before a measurement: other work on it skews the figures."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def monitor_run(app: Server, coord: list, common: dict) -> dict:
    """The region monitor. Its first view counts the whole region (and a change to the
    region's records makes the next view a first one again, app/monitor/freshness.py): timed
    alone. Then the other worker gets its first view too, and wrk drives the views that follow,
    which read the computation the worker keeps."""
    base = f"http://127.0.0.1:{app.port}"
    started = time.perf_counter()
    path = clients.monitor_path(base, coord[0], timeout=MONITOR_FIRST_VIEW_LIMIT_S)
    first_ms = round((time.perf_counter() - started) * 1000, 1)
    if path is None:
        waited = first_ms >= MONITOR_FIRST_VIEW_LIMIT_S * 1000 * 0.9
        return {"page": "monitor_region", **common, "single_request_ms": first_ms,
                "skipped": f"no answer within {MONITOR_FIRST_VIEW_LIMIT_S} s" if waited
                else "no /monitor page (yet)"}
    other_ms = _both_workers(base, coord[:2], path)
    load = loadavg()
    line = clients.run_wrk(app.port, "get.lua", {
        "cookies": [s.cookie for s in coord], "paths": [path],
        "user_agent": clients.USER_AGENT}, SECONDS)
    return {"page": "monitor_region", **common, **line, "first_view_ms": first_ms,
            "other_worker_first_view_ms": other_ms, "worker_peak_rss_mb": peak_rss_mb(app),
            "load_before": load}


def _both_workers(base: str, sessions: list, path: str) -> float:
    """Two requests at once reach both sync workers (a busy one accepts nothing): the one
    that has not counted the region yet does so now. Twice, in case both went to the same."""
    def fetch(session) -> float:
        started = time.perf_counter()
        with session.opener.open(f"{base}{path}", timeout=MONITOR_FIRST_VIEW_LIMIT_S):
            pass
        return (time.perf_counter() - started) * 1000

    slowest = 0.0
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        for _ in range(2):
            slowest = max(slowest, *pool.map(fetch, sessions))
    return round(slowest, 1)


def write_run(app: Server, url: str, info: dict, writers: list, common: dict) -> dict:
    """Close and reopen the write school's cases from 8 writers at once, as fast as served."""
    tokens = [clients.csrf_token(app.port, w, f"/cases/{info['pool'][0][0]}") for w in writers]
    per_writer = [[] for _ in writers]
    for index, (case_id, version, state) in enumerate(info["pool"]):
        per_writer[index % len(writers)].append({"id": case_id, "version": version,
                                                 "state": state})
    load = loadavg()
    line = clients.run_wrk(app.port, "write.lua", {
        "cookies": [w.cookie for w in writers], "tokens": tokens, "cases": per_writer,
        "user_agent": clients.USER_AGENT}, SECONDS)
    done = facts(url)["steps"] - info["steps"]
    return {"page": "write_transitions", **common, **line,
            "transitions_committed": done,
            "transitions_per_s": round(done / line["seconds"], 1), "target_per_s": 100,
            "worker_peak_rss_mb": peak_rss_mb(app), "load_before": load}


if __name__ == "__main__":
    main()
