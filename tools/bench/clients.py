"""Logged-in HTTP clients for the bench (password + TOTP, like a person) and the wrk runs."""

import http.cookiejar
import json
import re
import subprocess  # nosec B404
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyotp
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = ROOT / "build" / "bench"
# Flask-Login's strong session protection ties a session to its User-Agent: wrk sends this one.
USER_AGENT = "Schakel-bench (wrk; make bench)"
TOKEN = re.compile(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"')
_last_step: dict[str, int] = {}  # a TOTP code is good once: each login uses a later one


@dataclass
class Session:
    email: str
    cookie: str  # the Cookie header value
    opener: urllib.request.OpenerDirector


def _opener():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    return opener, jar


def _post_form(opener, url: str, fields: dict) -> str:
    """GET the form, POST it with its CSRF token; the URL the redirects end on."""
    page = opener.open(url, timeout=30).read().decode()
    token = TOKEN.search(page)
    if token is None:
        sys.exit(f"no csrf_token in the form at {url}")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
    with opener.open(url, data, timeout=30) as response:
        return response.geturl()


def remember_steps(url: str) -> None:
    """The last TOTP step the server accepted per bench login (an earlier run's logins)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for email, step in conn.execute(sa.text(
                    "SELECT email, totp_last_step FROM app_user WHERE email LIKE 'bench.%' "
                    "AND totp_last_step IS NOT NULL")):
                _last_step[email] = max(step, _last_step.get(email, 0))
    finally:
        engine.dispose()


def login(base: str, local: str) -> Session:
    sys.path.insert(0, str(ROOT))
    from app.bench.world import BENCH_PASSWORD, DOMAIN, totp_secret

    email = f"{local}@{DOMAIN}"
    opener, jar = _opener()
    landed = _post_form(opener, f"{base}/auth/login", {"email": email,
                                                       "password": BENCH_PASSWORD})
    if "/auth/code" not in landed:
        sys.exit(f"login of {email} did not reach the code step (ended on {landed})")
    step = max(int(time.time()) // 30, _last_step.get(email, 0) + 1)
    while step > int(time.time()) // 30 + 1:  # the server accepts one step of drift
        time.sleep(1)
    _last_step[email] = step
    landed = _post_form(opener, f"{base}/auth/code",
                        {"code": pyotp.TOTP(totp_secret(local)).at(step * 30)})
    if "/auth/" in urllib.parse.urlsplit(landed).path:
        sys.exit(f"login of {email} did not complete (ended on {landed})")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Session(email, cookie, opener)


def login_all(base: str, prefix: str, count: int) -> list[Session]:
    return [login(base, f"{prefix}{n}") for n in range(1, count + 1)]


def csrf_token(port: int, session: Session, path: str) -> str:
    page = session.opener.open(f"http://127.0.0.1:{port}{path}", timeout=30).read().decode()
    token = TOKEN.search(page)
    if token is None:
        sys.exit(f"no csrf_token on {path} for {session.email}")
    return token.group(1)


def monitor_path(base: str, session: Session, timeout: float = 120) -> str | None:
    """The region monitor's address when the app has one (the monitor issue adds it)."""
    for path in ("/monitor/", "/monitor"):
        try:
            with session.opener.open(f"{base}{path}", timeout=timeout) as response:
                if response.status == 200 and "/auth/" not in response.geturl():
                    return path
        except TimeoutError:
            return None  # there is a page, but it did not answer in time
        except OSError as exc:
            if isinstance(getattr(exc, "reason", None), TimeoutError):
                return None
            continue
    return None


# --- wrk ---------------------------------------------------------------------------------------


def to_lua(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid Lua string literal here (ASCII)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {to_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(to_lua(v) for v in value) + "}"


def run_wrk(port: int, script: str, data: dict, seconds: int, connections: int = 8) -> dict:
    """wrk with one connection per thread against 127.0.0.1:port for `seconds`; the JSON its
    script's done() prints, plus requests per second."""
    data_file = BUILD / f"wrk-data-{port}.lua"
    data_file.write_text("".join(f"{k} = {to_lua(v)}\n" for k, v in data.items()))
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", str(HERE / script), f"http://127.0.0.1:{port}/"]
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, capture_output=True, text=True, timeout=seconds + 120, check=False,
        env={"BENCH_WRK_DATA": str(data_file), "PATH": "/usr/bin:/bin"})
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if done.returncode or line is None:
        sys.exit(f"wrk failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    result = json.loads(line[4:])
    result["requests_per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


# --- PostgreSQL databases of the bench -----------------------------------------------------------


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres",  # noqa: S603 S607
                    "-c", sql], check=True)  # nosec B603 B607


def _name(url: str) -> str:
    name = sa.engine.make_url(url).database
    if not re.fullmatch(r"schakel_bench\w*", name or ""):
        sys.exit(f"refusing to touch database {name!r}: bench databases are named schakel_bench*")
    return name


def pg_version() -> str:
    done = subprocess.run(  # noqa: S603  # nosec B603 B607
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",  # noqa: S607
         "SHOW server_version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def ensure_pg_database(url: str) -> None:
    name = _name(url)
    listed = subprocess.run(  # noqa: S603  # nosec B603 B607
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",  # noqa: S607
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 (checked name)
        capture_output=True, text=True, check=True)
    if listed.stdout.strip() != "1":
        _psql(f"CREATE DATABASE {name}")


def recreate_pg_database(url: str) -> None:
    name = _name(url)
    _psql(f"DROP DATABASE IF EXISTS {name}")
    _psql(f"CREATE DATABASE {name}")
