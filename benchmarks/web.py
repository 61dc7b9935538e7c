"""Web workspace page times on a workspace of N synthetic applicants (target: < 100 ms per page).

    python benchmarks/web.py [--n 500] [--rounds 15]

Writes N synthetic records (`tools/synthetic.py`), registers each in the workspace's tracker (so
the list's certification column has work to do), starts `sc-docs serve` in a subprocess and times
each page over HTTP (keep-alive, the way a browser asks). The baseline, interleaved in the same
rounds, is what the list would cost without the workspace's summary cache: loading and validating
every record again. Prints the first list request (answered at once while a start-up pass checks
the records) and when every record was checked, then per page the median and the slowest time
and the ratio of the median to the baseline's median.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.synthetic import write_synthetic  # noqa: E402

TARGET_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def register_all(folder: Path) -> None:
    import yaml

    from sc_docs.tracker import Tracker

    tracker = Tracker.open(folder / "sc-docs.sqlite", create=True)
    for path in sorted(folder.glob("*.yaml")):
        tracker.add_applicant(yaml.safe_load(path.read_text(encoding="utf-8")), slug=path.stem, by="bench")


def baseline(folder: Path) -> float:
    """Seconds to summarize every record from scratch (the list page without its cache)."""
    from sc_docs.web.workspace import Workspace

    start = time.perf_counter()
    Workspace(folder).summaries()
    return time.perf_counter() - start


def timed(conn: http.client.HTTPConnection, method: str, url: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    conn.request(method, url, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return time.perf_counter() - start, response.status, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sc-docs-bench-web-"))
    paths = write_synthetic(folder, args.n)
    register_all(folder)
    first = paths[len(paths) // 2].stem
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sc_docs", "serve", "-w", str(folder), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                conn.connect()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        started = time.perf_counter()
        cold, status, body = timed(conn, "GET", "/")
        assert status == 200, status
        while b"checking records" in body:  # the start-up pass is still checking records
            time.sleep(0.2)
            body = timed(conn, "GET", "/")[2]
        checked = time.perf_counter() - started
        cookie = ""  # the session cookie and CSRF token a browser would carry
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read()
        cookie = (response.getheader("set-cookie") or "").split(";")[0]
        csrf = re.search(rb'name="csrf-token" content="([0-9a-f]+)"', body).group(1).decode()  # type: ignore[union-attr]
        edit = timed(conn, "GET", f"/a/{first}/edit", headers={"Cookie": cookie})[2].decode()
        form = "&".join(f"{n}={v}" for n, v in re.findall(r'name="([a-z_.\[\]0-9]+)" type="text" value="([^"&]*)"', edit)).encode()
        pages = {
            "applicants list (page 1 of 5)": ("GET", "/", None),
            "applicants list, search": ("GET", "/?q=acme", None),
            "edit form": ("GET", f"/a/{first}/edit", None),
            "live check (POST)": ("POST", f"/a/{first}/check", form),
            "documents": ("GET", f"/a/{first}/documents", None),
            "certification": ("GET", f"/a/{first}/certification", None),
            "batches": ("GET", "/batch", None),
        }
        times: dict[str, list[float]] = {name: [] for name in pages}
        base: list[float] = []
        for _ in range(args.rounds):
            conn.close()  # the baseline outlasts the server's keep-alive; reconnect, as a browser would
            conn.connect()
            for name, (method, url, data) in pages.items():
                headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
                if data is not None:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                seconds, status, _ = timed(conn, method, url, data, headers)
                assert status == 200, (name, status)
                times[name].append(seconds)
            base.append(baseline(folder))
        base_ms = statistics.median(base) * 1000
        print(f"workspace: {args.n} applicants, {args.rounds} rounds; first list request {cold * 1000:.0f} ms, "
              f"every record checked {checked:.1f} s after it")
        print(f"baseline (summarize every record, no cache): median {base_ms:.0f} ms")
        print(f"{'page':32} {'median ms':>10} {'max ms':>8} {'vs baseline':>12} {'< 100 ms':>9}")
        ok = True
        for name, values in times.items():
            median = statistics.median(values) * 1000
            ok &= median < TARGET_MS
            print(f"{name:32} {median:10.1f} {max(values) * 1000:8.1f} {median / base_ms:11.3f}x {'yes' if median < TARGET_MS else 'NO':>9}")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
