"""Turn pricing quotes into checkout totals."""


def line_total(quote, quantity):
    """Total price in cents for `quantity` of the quoted item."""
    if quote.get("shape") == "bundle":
        unit_cents = sum(c["unit_price_cents"] * c["count"] for c in quote["components"])
    else:
        unit_cents = quote["unit_price_cents"]
    return unit_cents * quantity
