"""Starting and stopping gunicorn on loopback, and reading its workers' peak memory."""

import os
import socket
import subprocess  # nosec B404
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(url: str) -> dict:
    """The app as a bench runs it: development config, no demo, a fixed secret, no mail, and
    no proxies (every request stays on loopback)."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env.update(FLASK_APP="wsgi.py", DATABASE_URL=url, BENCH_DATABASE_URL=url,
               SCHAKEL_ENV="development", SCHAKEL_DEMO="0", SCHAKEL_TLS="0",
               SECRET_KEY="bench-only-not-secret",  # noqa: S106  # nosec B106 (loopback bench)
               RATELIMIT_STORAGE_URI="memory://",
               MAIL_ENABLED="0")
    return env


def flask(args: list[str], url: str, echo: bool = False) -> None:
    done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT,  # noqa: S603  # nosec B603
                          env=environment(url), capture_output=True, text=True, check=False)
    if echo:
        sys.stderr.write(done.stdout)
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def flask_measured(args: list[str], url: str) -> dict:
    """Run a flask command and report its wall time, CPU time and peak memory (of that
    process alone: `wait4` gives its own resource usage)."""
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "flask"), *args], cwd=ROOT,  # noqa: S603  # nosec B603
                               env=environment(url), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{output}")
    return {"seconds": round(time.perf_counter() - started, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "output": output.strip()}


class Server:
    """gunicorn with two sync workers on 127.0.0.1:port; a context manager."""

    def __init__(self, target: str, port: int, url: str, log: Path, workers: int = 2):
        self.target, self.port, self.url, self.log, self.workers = target, port, url, log, workers
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.log.write_text("")
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            [str(BIN / "gunicorn"), "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "900", "--log-level", "warning",
             "--pythonpath", str(Path(__file__).resolve().parent),
             "--error-logfile", str(self.log), "--capture-output", self.target],
            cwd=ROOT, env=environment(self.url), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for _ in range(150):
            try:
                opener.open(f"http://127.0.0.1:{self.port}/static/css/app.css", timeout=2).close()
                return self
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer: the server is up
                    return self
                time.sleep(0.2)
        self.__exit__()
        sys.exit(f"{self.target} did not start:\n{self.log.read_text()}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


def peak_rss_mb(server: Server) -> float | None:
    """The largest VmHWM (peak resident set) among the server's worker processes, in MB."""
    peaks = []
    for pid in server.worker_pids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1) if peaks else None
