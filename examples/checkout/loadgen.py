#!/usr/bin/env python3
"""Steady checkout traffic for the demo world.

Sends POST $TARGET_URL/checkout at LOADGEN_RPS requests/s (default 20) from a small thread pool,
with item ids item-<sku>-<variant> drawn uniformly from sku 100..199 x variant 0..9 and quantity
1..3. Prints a one-line summary every 10 s; runs until SIGTERM/SIGINT.

Only ever talks to TARGET_URL, which must be a loopback http:// URL.
"""

import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REPORT_EVERY_S = 10.0
TIMEOUT_S = 5.0
WORKERS = 16


def now_iso() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.sent = self.ok = self.c4xx = self.c5xx = self.failed = self.dropped = 0
        self.latencies = []

    def record(self, status, seconds):
        with self.lock:
            self.sent += 1
            if status is None:
                self.failed += 1
            elif status >= 500:
                self.c5xx += 1
            elif status >= 400:
                self.c4xx += 1
            else:
                self.ok += 1
            if status is not None:
                self.latencies.append(seconds)

    def drop(self):
        with self.lock:
            self.dropped += 1

    def summary(self, elapsed):
        with self.lock:
            lat = sorted(self.latencies)
            pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0  # noqa: E731
            line = (
                f"sent={self.sent} ok={self.ok} 4xx={self.c4xx} 5xx={self.c5xx} failed={self.failed} dropped={self.dropped} "
                f"rps={self.sent / elapsed:.1f} error_rate={(self.c5xx + self.failed) / max(self.sent, 1):.3f} "
                f"p50_ms={pct(0.50):.1f} p99_ms={pct(0.99):.1f}"
            )
            self.reset()
        return line


def main() -> int:
    target = os.environ.get("TARGET_URL", "").rstrip("/")
    url = urlsplit(target)
    if url.scheme != "http" or url.hostname not in LOOPBACK:
        print(f"loadgen: TARGET_URL must be an http:// loopback URL, got {target!r}", file=sys.stderr)
        return 2
    rps = float(os.environ.get("LOADGEN_RPS") or 20)
    if not 0 < rps <= 500:
        print(f"loadgen: LOADGEN_RPS must be in (0, 500], got {rps}", file=sys.stderr)
        return 2
    endpoint = f"{target}/checkout"
    rng = random.Random()
    stats = Stats()
    stop = threading.Event()
    slots = threading.BoundedSemaphore(WORKERS)

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def send(body: bytes):
        start = time.perf_counter()
        status = None
        try:
            req = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
                resp.read()
                status = resp.status
        except urllib.error.HTTPError as e:
            e.read()
            status = e.code
        except OSError:
            status = None
        finally:
            stats.record(status, time.perf_counter() - start)
            slots.release()

    print(f"{now_iso()} INFO loadgen sending POST {endpoint} at {rps:g} rps", flush=True)
    interval = 1.0 / rps
    next_send = time.monotonic()
    window_start = next_report = time.monotonic()
    next_report += REPORT_EVERY_S
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="loadgen") as pool:
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_report:
                print(f"{now_iso()} INFO loadgen {stats.summary(now - window_start)}", flush=True)
                window_start, next_report = now, now + REPORT_EVERY_S
            if now < next_send:
                stop.wait(min(next_send - now, next_report - now))
                continue
            next_send += interval
            if now - next_send > 1.0:  # fell far behind (e.g. suspended): do not burst to catch up
                next_send = now
            body = json.dumps(
                {"item_id": f"item-{rng.randint(100, 199)}-{rng.randint(0, 9)}", "quantity": rng.randint(1, 3)}
            ).encode()
            if slots.acquire(blocking=False):
                pool.submit(send, body)
            else:
                stats.drop()  # every worker busy: the target is slower than WORKERS / rps
    print(f"{now_iso()} INFO loadgen stopping: {stats.summary(max(time.monotonic() - window_start, 1e-3))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
