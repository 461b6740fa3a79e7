"""Client for the pricing service (v2 batch quote API)."""

import json
import time
import urllib.error
import urllib.request

import metrics


class PricingError(Exception):
    """Pricing could not quote the item (pricing answered an error, or did not answer in time)."""


class PricingClient:
    def __init__(self, base_url, timeout_s):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def quote(self, item_id):
        """The pricing service's catalog entry for one item, as a dict."""
        return self.quote_many([item_id])[0]

    def quote_many(self, item_ids):
        """Catalog entries for several items in one round trip, in the order asked."""
        request = urllib.request.Request(
            f"{self.base_url}/v2/quote",
            data=json.dumps({"items": list(item_ids)}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        start = time.perf_counter()
        status = "error"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                status = str(resp.status)
                quotes = json.load(resp)["quotes"]
        except urllib.error.HTTPError as e:
            status = str(e.code)
            detail = e.read(300).decode("utf-8", "replace")
            raise PricingError(f"POST /v2/quote returned HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
            raise PricingError(f"POST /v2/quote failed: {e!r}") from None
        finally:
            metrics.observe_downstream("pricing", status, time.perf_counter() - start)
        if len(quotes) != len(item_ids):
            raise PricingError(f"POST /v2/quote returned {len(quotes)} quotes for {len(item_ids)} items")
        return quotes
