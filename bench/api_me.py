"""``GET /api/v1/me`` under 20 concurrent clients against the served app (gunicorn), beside a
trivial view (``/healthz``: one ``SELECT 1``) served the same way in the same run."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import report

PASSWORD = "Bench-Demo-Pass-2026"
CLIENTS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(port: int, path: str, headers: dict[str, str], seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else 15.0
    home = tempfile.mkdtemp(prefix="tongban-bench-")
    env = {
        **os.environ,
        "TONGBAN_HOME": home,
        "DJANGO_SETTINGS_MODULE": "tongban.settings.base",
        "TONGBAN_LOG_LEVEL": "WARNING",
    }
    env.pop("TONGBAN_DATABASE_URL", None)
    tongban = [sys.executable, "-m", "tongban"]
    subprocess.run(
        [*tongban, "demo", "--password", PASSWORD, "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    workers = 2
    server = subprocess.Popen(
        [*tongban, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data=json.dumps({"username": "clerk", "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        token = json.loads(urllib.request.urlopen(request).read())["token"]  # noqa: S310
        auth = {"Authorization": f"Bearer {token}"}
        load(port, "/healthz", {}, 1.0)  # warm up both paths
        load(port, "/api/v1/me", auth, 1.0)
        trivial = load(port, "/healthz", {}, seconds)
        me = load(port, "/api/v1/me", auth, seconds)
    finally:
        server.terminate()
        server.wait(10)
    report(
        "api_me",
        {
            "quick": args.quick,
            "clients": CLIENTS,
            "server": f"gunicorn gthread, {workers} workers x 4 threads, SQLite",
            "seconds_each": seconds,
            "me": me,
            "baseline_trivial_view": trivial,
            "ratio_requests_per_s": round(me["requests_per_s"] / trivial["requests_per_s"], 3),
            "ratio_p95": round(me["p95_ms"] / trivial["p95_ms"], 3),
        },
    )


if __name__ == "__main__":
    main()
