"""Client for the pricing service."""

import json
import urllib.error
import urllib.parse
import urllib.request


class PricingError(Exception):
    """Pricing could not quote the item (pricing answered an error, or did not answer in time)."""


class PricingClient:
    def __init__(self, base_url, timeout_s):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def quote(self, item_id):
        """The pricing service's catalog entry for one item, as a dict."""
        url = f"{self.base_url}/v1/price?item_id={urllib.parse.quote(item_id)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            detail = e.read(300).decode("utf-8", "replace")
            raise PricingError(f"GET /v1/price returned HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise PricingError(f"GET /v1/price failed: {e}") from None
