"""Turn pricing quotes into checkout totals."""


def line_total(quote, quantity):
    """Total price in cents for `quantity` of the quoted item."""
    if quote.get("shape") == "bundle":
        unit_cents = sum(c["unit_price_cents"] * c["count"] for c in quote["components"])
    elif quote.get("shape") == "weighted":
        # a pack of weight_g grams sold at price_per_kg_cents, rounded to the cent
        unit_cents = round(quote["price_per_kg_cents"] * quote["weight_g"] / 1000)
    else:
        unit_cents = quote["unit_price_cents"]
    return unit_cents * quantity
