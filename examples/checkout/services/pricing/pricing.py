"""Pricing service: quotes catalog items for checkout.

Two APIs are served side by side while clients migrate:

  GET  /v1/price?item_id=item-142-3   legacy, one item per call, backed by the old catalog store (slow)
  POST /v2/quote {"items": [...]}     batch quotes from the v2 catalog (fast); a few SKU families
                                      have not been migrated to v2 yet and are answered with 404

Item ids look like item-<sku>-<variant>: sku 100..199, variant digit 0..9. Variant 3 is sold as a
bundle of other SKUs, variant 8 is sold by weight, everything else is a plain unit price.

Env: PORT (required), HOST (default 127.0.0.1).
"""

import json
import logging
import os
import random
import re
import signal
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("pricing")

ITEM_ID = re.compile(r"^item-(\d{3})-(\d)$")
SKU_RANGE = range(100, 200)
BUNDLE_VARIANT = 3
WEIGHTED_VARIANT = 8
MAX_BATCH = 100


# --- catalog ---------------------------------------------------------------------------------


def _stable(sku: int, salt: str) -> int:
    return zlib.crc32(f"{salt}:{sku}".encode())


def unit_price_cents(sku: int) -> int:
    """List price of one unit of a SKU: $1.99 .. $89.99."""
    return (_stable(sku, "price") % 89 + 2) * 100 - 1


def parse_item_id(item_id):
    m = ITEM_ID.match(item_id) if isinstance(item_id, str) else None
    if not m or int(m.group(1)) not in SKU_RANGE:
        return None
    return int(m.group(1)), int(m.group(2))


def quote(item_id: str) -> dict:
    """The catalog entry for a (valid) item id."""
    sku, variant = parse_item_id(item_id)
    if variant == BUNDLE_VARIANT:
        n = 2 + sku % 2
        components = []
        for k in range(n):
            part = 100 + (sku * (k + 3) + 17 * (k + 1)) % 100
            components.append({"sku": part, "unit_price_cents": unit_price_cents(part), "count": 1 + (sku + k) % 3})
        return {"item_id": item_id, "shape": "bundle", "components": components}
    if variant == WEIGHTED_VARIANT:
        return {
            "item_id": item_id,
            "shape": "weighted",
            "price_per_kg_cents": unit_price_cents(sku) * 2,
            "weight_g": 250 + (sku % 8) * 125,
        }
    return {"item_id": item_id, "shape": "unit", "unit_price_cents": unit_price_cents(sku)}


def migrated_to_v2(item_id: str) -> bool:
    """SKU families ending in 7 are still only in the legacy catalog store."""
    sku, _ = parse_item_id(item_id)
    return sku % 10 != 7


def legacy_store_delay() -> float:
    """The legacy store answers in ~90-160 ms, with an occasional slow read."""
    if random.random() < 0.04:
        return random.uniform(0.170, 0.250)
    return random.uniform(0.090, 0.160)


# --- metrics ---------------------------------------------------------------------------------

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 2.0)


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self._requests = {}  # (route, method, status) -> count
        self._hist = {}  # (route, method) -> [bucket counts..., sum, count]
        self._started = time.time()

    def observe(self, route, method, status, seconds):
        with self._lock:
            key = (route, method, str(status))
            self._requests[key] = self._requests.get(key, 0) + 1
            h = self._hist.setdefault((route, method), [0] * len(BUCKETS) + [0.0, 0])
            for i, le in enumerate(BUCKETS):
                if seconds <= le:
                    h[i] += 1
            h[-2] += seconds
            h[-1] += 1

    def render(self) -> str:
        out = [
            "# HELP http_requests_total HTTP requests served, by route, method and status code.",
            "# TYPE http_requests_total counter",
        ]
        with self._lock:
            for (route, method, status), n in sorted(self._requests.items()):
                out.append(f'http_requests_total{{route="{route}",method="{method}",status="{status}"}} {n}')
            out += [
                "# HELP http_request_duration_seconds Time to serve an HTTP request.",
                "# TYPE http_request_duration_seconds histogram",
            ]
            for (route, method), h in sorted(self._hist.items()):
                labels = f'route="{route}",method="{method}"'
                for i, le in enumerate(BUCKETS):
                    out.append(f'http_request_duration_seconds_bucket{{{labels},le="{le}"}} {h[i]}')
                out.append(f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {h[-1]}')
                out.append(f"http_request_duration_seconds_sum{{{labels}}} {h[-2]:.6f}")
                out.append(f"http_request_duration_seconds_count{{{labels}}} {h[-1]}")
        out += [
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            f"process_start_time_seconds {self._started:.3f}",
        ]
        return "\n".join(out) + "\n"


METRICS = Metrics()
ROUTES = {"/v1/price", "/v2/quote", "/healthz", "/metrics"}
QUIET = {"/healthz", "/metrics"}  # not access-logged (probes and scrapes)


# --- HTTP ------------------------------------------------------------------------------------


def logfmt(value) -> str:
    s = "-" if value is None else str(value)
    if s == "" or any(c in s for c in ' "=\\') or any(ord(c) < 32 for c in s):
        return json.dumps(s)
    return s


class Handler(BaseHTTPRequestHandler):
    server_version = "pricing/2.3"

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method):
        start = time.perf_counter()
        url = urlsplit(self.path)
        route = url.path if url.path in ROUTES else "other"
        fields = {}
        try:
            status = self._route(method, url, fields)
        except Exception:
            log.exception("unhandled error in %s %s", method, url.path)
            status = self._json(500, {"error": "internal", "message": "internal server error"})
        elapsed = time.perf_counter() - start
        METRICS.observe(route, method, status, elapsed)
        if url.path not in QUIET:
            extra = "".join(f" {k}={logfmt(v)}" for k, v in fields.items())
            log.info("access method=%s path=%s%s status=%d duration_ms=%.1f", method, logfmt(url.path), extra, status, elapsed * 1000)

    def _route(self, method, url, fields):
        if url.path == "/healthz" and method == "GET":
            return self._json(200, {"status": "ok"})
        if url.path == "/metrics" and method == "GET":
            return self._send(200, METRICS.render().encode(), "text/plain; version=0.0.4; charset=utf-8")
        if url.path == "/v1/price" and method == "GET":
            return self._v1_price(parse_qs(url.query), fields)
        if url.path == "/v2/quote" and method == "POST":
            return self._v2_quote(fields)
        if url.path in ROUTES:
            return self._json(405, {"error": "method_not_allowed", "message": f"{method} not allowed on {url.path}"})
        return self._json(404, {"error": "not_found", "message": f"no route for {url.path}"})

    def _v1_price(self, query, fields):
        item_id = (query.get("item_id") or [None])[0]
        fields["item_id"] = item_id
        if item_id is None:
            return self._json(400, {"error": "bad_request", "message": "item_id query parameter is required"})
        time.sleep(legacy_store_delay())
        if parse_item_id(item_id) is None:
            return self._json(404, {"error": "unknown_item", "message": f"no catalog entry for {item_id}"})
        return self._json(200, quote(item_id))

    def _v2_quote(self, fields):
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if 0 < length <= 65536 else None
        except ValueError:
            body = None
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items or len(items) > MAX_BATCH or not all(isinstance(i, str) for i in items):
            return self._json(400, {"error": "bad_request", "message": f'body must be {{"items": [item_id, ...]}} with 1..{MAX_BATCH} ids'})
        fields["items"] = len(items)
        fields["item_id"] = items[0] if len(items) == 1 else ",".join(items[:5])
        time.sleep(random.uniform(0.003, 0.009) + 0.0002 * len(items))
        unknown = [i for i in items if parse_item_id(i) is None]
        if unknown:
            return self._json(404, {"error": "unknown_item", "message": f"no catalog entry for {', '.join(unknown)}", "item_ids": unknown})
        missing = [i for i in items if not migrated_to_v2(i)]
        if missing:
            log.warning("v2 quote rejected: %d item(s) not in the v2 catalog: %s", len(missing), ",".join(missing))
            return self._json(
                404,
                {"error": "item_not_in_v2_catalog", "message": f"not in the v2 catalog yet: {', '.join(missing)}", "item_ids": missing},
            )
        return self._json(200, {"quotes": [quote(i) for i in items]})

    def _json(self, status, obj):
        return self._send(status, json.dumps(obj).encode(), "application/json")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status

    def log_message(self, format, *args):  # http.server's own stderr lines; access lines are ours
        pass

    def log_error(self, format, *args):
        log.warning("http: " + format, *args)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def setup_logging():
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    formatter.formatTime = lambda record, datefmt=None: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main():
    setup_logging()
    port = int(os.environ.get("PORT", "0") or 0)
    if not port:
        log.error("PORT is not set")
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    server = Server((host, port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("listening on %s:%d (v1 legacy store, v2 batch quotes)", host, port)
    try:
        server.serve_forever(poll_interval=0.25)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
