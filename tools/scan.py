"""`make scan`: run the wapiti scanner (Debian package) against a running demo Schakel.

Starts the app on a free loopback port with a fresh demo database, logs in as the demo intern
begeleider (password + TOTP) to hand wapiti an authenticated session cookie, scans, stops the
app and writes the report to build/wapiti/ (report.json, wapiti.log, crawled.txt).

Loopback only: the app listens on 127.0.0.1, the scope is that origin, proxies from the
environment are ignored, and the wapiti modules that call out to the internet are never loaded
(ssrf and xxe ask wapiti3.ovh for callbacks, wapp and nikto download databases; crash reports
to wapiti3.ovh are switched off). Bounded in time: wapiti 3.0.4's --max-scan-time only bounds
the crawl, so SCAN_SECONDS is split between the crawl and a --max-attack-time per module, with
a hard stop behind it.

Debian's wapiti 3.0.4 needs three corrections (and gets one change of order), applied by running
this file under wapiti's own interpreter with `--as-wapiti` (see `patched_wapiti`).
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
REPORT = ROOT / "build" / "wapiti"
SCAN_SECONDS = int(os.environ.get("SCAN_SECONDS", "600"))
CRAWL_SHARE = 0.25
# wapiti 3.0.4's default modules minus ssrf (external endpoint), plus the offline ones that matter
# for a forms application. Not: xxe (external endpoint), wapp and nikto (download databases),
# brute_login_form (would only hit the login throttle), buster, shellshock.
MODULES = ("http_headers", "cookieflags", "csp", "csrf", "methods", "redirect", "crlf", "backup",
           "htaccess", "file", "exec", "sql", "blindsql", "xss", "permanentxss")
# These send many payloads per parameter and use up their time; the others send one or two
# requests per page and finish in seconds. The attack time is shared out among these.
PAYLOAD_MODULES = ("file", "exec", "sql", "blindsql", "xss", "permanentxss")
# Many demo cases share the same pages and forms: attack time goes further on fewer of each.
MAX_FILES_PER_DIR = 15
TOKEN = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
# Flask-Login's strong session protection ties the session to the User-Agent: the login here and
# wapiti's requests must send the same one.
USER_AGENT = "Schakel-scan (wapiti; make scan)"
# No proxies from the environment: every request of this script stays on loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict:
    return {**{k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}, **extra}


def flask(args: list[str], env: dict) -> None:
    done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def start_app(workdir: Path, port: int) -> subprocess.Popen:
    env = clean_env(FLASK_APP="wsgi.py", FLASK_DEBUG="0", SCHAKEL_DEMO="1",
                    SCHAKEL_ENV="development", SCHAKEL_TLS="0",
                    RATELIMIT_STORAGE_URI="memory://",
                    DATABASE_URL=f"sqlite:///{workdir / 'scan.db'}")
    flask(["db", "upgrade"], env)
    flask(["seed-demo"], env)
    server = subprocess.Popen(  # noqa: S603  # nosec B603
        [str(BIN / "flask"), "run", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=(workdir / "server.log").open("w"))
    for _ in range(100):
        try:
            OPENER.open(f"http://127.0.0.1:{port}/auth/login", timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit(f"Schakel did not start:\n{(workdir / 'server.log').read_text()}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post_form(opener, url: str, fields: dict) -> str:
    """GET the form, POST it with its CSRF token; the URL the redirects end on."""
    page = opener.open(url, timeout=10).read().decode()
    token = TOKEN.search(page)
    if token is None:
        sys.exit(f"no csrf_token in the form at {url}")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
    with opener.open(url, data, timeout=10) as response:
        return response.geturl()


def login_cookie(base: str, workdir: Path) -> Path:
    """Log in as the demo IB and write the session cookie in wapiti's JSON cookie format."""
    import pyotp

    sys.path.insert(0, str(ROOT))
    from app.demo.world import DEMO_PASSWORD, PEOPLE

    ib = next(p for p in PEOPLE if p.email.startswith("ib.regenboog"))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    landed = post_form(opener, f"{base}/auth/login", {"email": ib.email,
                                                      "password": DEMO_PASSWORD})
    if "/auth/code" in landed:
        landed = post_form(opener, f"{base}/auth/code",
                           {"code": pyotp.TOTP(ib.totp_secret).now()})
    if "/auth/" in urllib.parse.urlsplit(landed).path:
        sys.exit(f"login as {ib.email} did not complete (ended on {landed})")
    # Host-only cookies are keyed by the bare address; wapiti looks them up the same way.
    cookies = {c.name: {"value": c.value, "expires": None, "secure": False, "port": None,
                        "version": 0} for c in jar}
    if not cookies:
        sys.exit("login set no session cookie")
    print(f"logged in as {ib.email} (demo intern begeleider)")
    path = workdir / "cookies.json"
    path.write_text(json.dumps({"127.0.0.1": {"/": cookies}}))
    return path


def budget() -> tuple[int, int]:
    """Seconds for the crawl (it stops earlier when it has seen everything), and the most for
    each attack module: about SCAN_SECONDS in all, since only the payload modules use theirs."""
    crawl = max(30, int(SCAN_SECONDS * CRAWL_SHARE))
    return crawl, max(10, (SCAN_SECONDS - crawl) // len(PAYLOAD_MODULES))


def wapiti_command(wapiti: str, base: str, cookie: Path, workdir: Path) -> list[str]:
    crawl, per_module = budget()
    interpreter = Path(wapiti).read_text().splitlines()[0].removeprefix("#!").strip()
    return [
        interpreter, str(Path(__file__).resolve()), "--as-wapiti", ",".join(MODULES),
        "-u", f"{base}/", "--scope", "folder", "-c", str(cookie), "-A", USER_AGENT,
        # Logout is a form; submitting it would end the session and the authenticated scan.
        "-x", f"{base}/auth/logout*",
        "-m", ",".join(MODULES), "--no-bugreport", "-t", "10",
        "--max-scan-time", str(crawl), "--max-attack-time", str(per_module),
        "--max-files-per-dir", str(MAX_FILES_PER_DIR),
        "--flush-session", "--store-session", str(workdir / "session"),
        "--store-config", str(workdir / "config"),
        "-f", "json", "-o", str(REPORT / "report.json"), "-v", "1",
    ]


def run_wapiti(command: list[str]) -> int:
    crawl, per_module = budget()
    # The most wapiti's own limits allow (they are checked between pages, hence the margin).
    hard_stop = crawl + per_module * len(MODULES) + 300
    with (REPORT / "wapiti.log").open("w") as log:
        try:
            return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                  stdin=subprocess.DEVNULL, env=clean_env(),
                                  timeout=hard_stop, check=False).returncode  # nosec B603
        except subprocess.TimeoutExpired:
            print(f"wapiti did not finish within {hard_stop} s and was stopped")
            return 1


def record_coverage(session_dir: Path) -> None:
    """What wapiti crawled and attacked, from its session database, into build/wapiti/."""
    databases = list(session_dir.glob("*.db"))
    if not databases:
        return
    with sqlite3.connect(databases[0]) as con:
        paths = con.execute(
            "SELECT p.method, p.http_status, p.path, group_concat(a.module_name, ',') "
            "FROM paths p LEFT JOIN attack_log a ON a.path_id = p.path_id WHERE p.evil = 0 "
            "GROUP BY p.path_id ORDER BY p.path, p.method").fetchall()
    lines = ["method status path  [modules that attacked it]"]
    lines += [f"{method:4} {status} {path}  [{modules or ''}]"
              for method, status, path, modules in paths]
    (REPORT / "crawled.txt").write_text("\n".join(lines) + "\n")
    statuses = Counter(status for _, status, _, _ in paths)
    attacked = Counter(name for *_, modules in paths for name in (modules or "").split(",") if name)
    print(f"crawled {len(paths)} requests (status {dict(sorted(statuses.items()))}); "
          f"attacked per module: {dict(sorted(attacked.items())) or 'none'}")


def main() -> int:
    wapiti = shutil.which("wapiti")
    if wapiti is None:
        sys.exit("wapiti is not installed: apt-get install wapiti (make scan does this)")
    REPORT.mkdir(parents=True, exist_ok=True)
    for old in ("report.json", "wapiti.log", "crawled.txt"):
        (REPORT / old).unlink(missing_ok=True)
    crawl, per_module = budget()
    with tempfile.TemporaryDirectory() as tmp:
        workdir, port = Path(tmp), free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_app(workdir, port)
        try:
            command = wapiti_command(wapiti, base, login_cookie(base, workdir), workdir)
            print(f"scanning {base}/ with wapiti for about {SCAN_SECONDS} s: crawl {crawl} s "
                  f"at most, then {len(MODULES)} modules of at most {per_module} s each "
                  f"(log: {REPORT / 'wapiti.log'})", flush=True)
            code = run_wapiti(command)
            record_coverage(workdir / "session")
        finally:
            stop(server)
    if code:
        print(f"wapiti exited with {code}")
    return summarise(REPORT / "report.json") or code


def summarise(report: Path) -> int:
    if not report.exists():
        print("wapiti wrote no report")
        return 1
    data = json.loads(report.read_text())
    version = data.get("infos", {}).get("version", "wapiti")
    for section in ("vulnerabilities", "anomalies", "additionals"):
        found = {kind: len(items) for kind, items in data.get(section, {}).items() if items}
        print(f"{version}: {section} {found or 'none'}")
    print(f"report: {report} (triage in docs/security.md)")
    return 0


def patched_wapiti(modules: str, argv: list[str]) -> int:
    """Run Debian's wapiti 3.0.4 (inside its own interpreter) with three corrections and one
    change of order.

    - It instantiates every attack module whatever -m says, and wapp and nikto then download
      their databases from GitHub: only the chosen modules are made loadable.
    - Any -x crashes under Python 3.11 ("global flags not at the start of the expression": its
      wildcard_translate appends `\\Z(?ms)`; rewritten upstream in 2023): replaced, so the logout
      form can be excluded.
    - The csrf module only knows the bare field name `csrf_token` and reports every prefixed
      WTForms token (`escalate-csrf_token`) as missing: prefixed names are recognised, so the
      module goes on to check that a changed token is refused.
    - The attack modules take the forms in crawl order, so a time-limited module spends its time
      on the same form of case after case: each distinct form (path with the ids taken out) now
      comes first, the copies after.
    """
    import wapitiCore.attack.attack as attack
    import wapitiCore.attack.mod_csrf as mod_csrf
    import wapitiCore.net.crawler as crawler
    from wapitiCore.main.wapiti import wapiti_main
    from wapitiCore.net.sqlite_persister import SqlitePersister

    attack.modules[:] = ["mod_" + name for name in modules.split(",")]

    def wildcard_translate(pattern: str) -> re.Pattern:
        body = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
        return re.compile(r"(?ms)" + body + r"\Z")

    crawler.wildcard_translate = wildcard_translate

    is_csrf_present = mod_csrf.mod_csrf.is_csrf_present

    def is_csrf_present_with_prefix(self, original_request):
        for param in original_request.post_params:
            if param[0].lower().endswith("-csrf_token"):
                self.csrf_string = param[0]
                return param[1]
        return is_csrf_present(self, original_request)

    mod_csrf.mod_csrf.is_csrf_present = is_csrf_present_with_prefix

    get_forms = SqlitePersister.get_forms

    def distinct_forms_first(self, attack_module: str = ""):
        seen, copies = set(), []
        for form in get_forms(self, attack_module=attack_module):
            shape = re.sub(r"/\d+(?=/|$)", "/<id>", urllib.parse.urlsplit(form.path).path)
            if shape in seen:
                copies.append(form)
            else:
                seen.add(shape)
                yield form
        yield from copies

    SqlitePersister.get_forms = distinct_forms_first
    sys.argv = ["wapiti", *argv]
    return wapiti_main()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--as-wapiti"]:
        sys.exit(patched_wapiti(sys.argv[2], sys.argv[3:]))
    sys.exit(main())
