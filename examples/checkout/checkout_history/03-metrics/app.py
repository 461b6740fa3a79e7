"""Checkout service: prices a cart line through the pricing service and returns the total.

    POST /checkout {"item_id": "item-142-3", "quantity": 2}  ->  {"item_id", "quantity", "total_cents"}
    GET  /healthz
    GET  /metrics   (Prometheus text format)

Env: PORT (required), PRICING_URL (required), CHECKOUT_CONFIG (default config.json), HOST (default 127.0.0.1).
"""

import json
import logging
import os
import re
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import catalog
import metrics
from pricing_client import PricingClient, PricingError

log = logging.getLogger("checkout")

ITEM_ID = re.compile(r"^item-\d+-\d+$")
ROUTES = {"/checkout", "/healthz", "/metrics"}

DEFAULT_CONFIG = {"pricing": {"timeout_s": 2.0}, "max_quantity": 10, "max_body_bytes": 16384}


class BadRequest(Exception):
    pass


def load_config(path):
    config = json.loads(json.dumps(DEFAULT_CONFIG))
    with open(path, encoding="utf-8") as f:
        loaded = json.load(f)
    for key, value in loaded.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    return config


class CheckoutHandler(BaseHTTPRequestHandler):
    server_version = "checkout/1.2"
    config = None
    pricing = None

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method):
        start = time.perf_counter()
        path = urlsplit(self.path).path
        try:
            status = self._route(method, path)
        except Exception:
            log.exception("unhandled error in %s %s", method, path)
            status = self._json(500, {"error": "internal server error"})
        elapsed = time.perf_counter() - start
        metrics.observe_request(path if path in ROUTES else "other", method, status, elapsed)

    def _route(self, method, path):
        if path == "/healthz" and method == "GET":
            return self._json(200, {"status": "ok"})
        if path == "/metrics" and method == "GET":
            return self._send(200, metrics.render().encode(), "text/plain; version=0.0.4; charset=utf-8")
        if path == "/checkout" and method == "POST":
            try:
                return self._checkout()
            except BadRequest as e:
                return self._json(400, {"error": str(e)})
        if path in ROUTES:
            return self._json(405, {"error": f"{method} not allowed"})
        return self._json(404, {"error": "not found"})

    def _checkout(self):
        order = self._read_json()
        item_id = order.get("item_id")
        quantity = order.get("quantity", 1)
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
            raise BadRequest("item_id must look like item-<sku>-<variant>")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= self.config["max_quantity"]:
            raise BadRequest(f"quantity must be an integer from 1 to {self.config['max_quantity']}")

        try:
            quote = self.pricing.quote(item_id)
        except PricingError as e:
            log.error("pricing call failed for item_id=%s: %s", item_id, e)
            return self._json(502, {"error": "pricing unavailable"})

        total = catalog.line_total(quote, quantity)
        return self._json(200, {"item_id": item_id, "quantity": quantity, "total_cents": total})

    def _read_json(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest("invalid Content-Length") from None
        if length <= 0 or length > self.config["max_body_bytes"]:
            raise BadRequest("request body missing or too large")
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            raise BadRequest("request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("request body must be a JSON object")
        return body

    def _json(self, status, obj):
        return self._send(status, json.dumps(obj).encode(), "application/json")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    port = int(os.environ.get("PORT") or 0)
    pricing_url = os.environ.get("PRICING_URL")
    if not port or not pricing_url:
        log.error("PORT and PRICING_URL must be set")
        return 2
    config_path = os.environ.get("CHECKOUT_CONFIG", "config.json")
    config = load_config(config_path)
    CheckoutHandler.config = config
    CheckoutHandler.pricing = PricingClient(pricing_url, timeout_s=config["pricing"]["timeout_s"])

    host = os.environ.get("HOST", "127.0.0.1")
    server = Server((host, port), CheckoutHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("listening on %s:%d pricing=%s config=%s pricing_timeout_s=%s", host, port, pricing_url, config_path, config["pricing"]["timeout_s"])
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
