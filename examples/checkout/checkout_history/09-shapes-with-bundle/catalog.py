"""Turn pricing quotes into checkout totals.

Pricing answers in one of a few catalog shapes. Each shape has an explicit parser below, so a
quote in a shape we do not know fails loudly instead of being priced from whatever fields it has.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitQuote:
    item_id: str
    unit_price_cents: int

    def unit_cents(self):
        return self.unit_price_cents


@dataclass(frozen=True)
class WeightedQuote:
    item_id: str
    price_per_kg_cents: int
    weight_g: int

    def unit_cents(self):
        # a pack of weight_g grams sold at price_per_kg_cents, rounded to the cent
        return round(self.price_per_kg_cents * self.weight_g / 1000)


@dataclass(frozen=True)
class BundleQuote:
    item_id: str
    components: tuple  # (unit_price_cents, count) per component

    def unit_cents(self):
        return sum(price * count for price, count in self.components)


def _unit(raw):
    return UnitQuote(raw["item_id"], int(raw["unit_price_cents"]))


def _weighted(raw):
    return WeightedQuote(raw["item_id"], int(raw["price_per_kg_cents"]), int(raw["weight_g"]))


def _bundle(raw):
    return BundleQuote(raw["item_id"], tuple((int(c["unit_price_cents"]), int(c["count"])) for c in raw["components"]))


PARSERS = {"unit": _unit, "weighted": _weighted, "bundle": _bundle}


def parse_quote(raw):
    item_id = raw.get("item_id")
    parser = PARSERS.get(raw.get("shape", "unit"))
    if parser is None:
        raise ValueError(f"unsupported catalog shape for item_id={item_id}")
    return parser(raw)


def line_total(quote, quantity):
    """Total price in cents for `quantity` of the quoted item."""
    return parse_quote(quote).unit_cents() * quantity
