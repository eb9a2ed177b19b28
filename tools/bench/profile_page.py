"""What one page costs, in-process, on a bench database: CPU ms per request (robust against
other load on the machine, unlike wall-clock latency), SQL statements per request, the slowest
statements, and with --profile a pyinstrument call tree (`pip install pyinstrument` into the
venv first; it is not a dependency of the app).

    .venv/bin/python tools/bench/profile_page.py build/bench/cases-100000.db bench.ib1 /cases/
    .venv/bin/python tools/bench/profile_page.py DB bench.coord1 /escalaties/ --profile
"""

import argparse
import sys
import time
from pathlib import Path

import pyotp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.bench.world import BENCH_PASSWORD, DOMAIN, totp_secret  # noqa: E402
from app.extensions import db  # noqa: E402


def logged_in_client(app, local: str):
    client = app.test_client()
    email = f"{local}@{DOMAIN}"
    response = client.post("/auth/login", data={"email": email, "password": BENCH_PASSWORD})
    assert response.status_code == 302, "password step failed"
    with app.app_context():
        last = db.session.scalar(sa.text("SELECT totp_last_step FROM app_user WHERE email = :e"),
                                 {"e": email}) or 0
    step = max(int(time.time()) // 30, last + 1)
    while step > int(time.time()) // 30 + 1:  # a code is good once: wait for the next one
        time.sleep(1)
    code = pyotp.TOTP(totp_secret(local)).at(step * 30)
    assert client.post("/auth/code", data={"code": code}).status_code == 302, "code step failed"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="a bench SQLite file, or a database URL")
    parser.add_argument("login", help="bench login, e.g. bench.ib1")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = args.database if "://" in args.database else \
        f"sqlite:///{Path(args.database).resolve()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench-profile"})
    client = logged_in_client(app, args.login)
    for path in args.paths:
        measure(client, path, args.repeat, args.profile)


def measure(client, path: str, repeat: int, profile: bool) -> None:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    timings: list[tuple[float, str]] = []

    def before(conn, cursor, statement, *args):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, *args):
        timings.append((time.perf_counter() - conn.info.pop("bench_started"), statement))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        client.get(path)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.remove(sa.engine.Engine, "after_cursor_execute", after)
    print(f"{path}: {1000 * cpu / repeat:.1f} ms CPU, {1000 * wall / repeat:.1f} ms wall, "
          f"{len(timings) // repeat} statements per request")
    for seconds, statement in sorted(timings, reverse=True)[:3]:
        print(f"   {1000 * seconds:8.2f} ms  {' '.join(statement.split())[:110]}")
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            client.get(path)
        print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
