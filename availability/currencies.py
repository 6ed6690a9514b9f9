"""The currencies a session type may be priced in, and how many decimals each has.

Prices are stored in minor units (DESIGN: money in minor units), so a form or a display must
know that 90 € is 9000 but 5,000 ¥ is 5000. Stripe's zero-decimal currencies have no minor
unit; every other currency offered here has two. Pure: no Django.
"""

# Two-decimal currencies a coach in Europe or North America is likely to charge in.
_TWO_DECIMALS = frozenset({"eur", "usd", "gbp", "chf", "cad", "aud", "nzd", "sek", "nok",
                           "dkk", "pln", "czk", "huf", "ron", "mad", "tnd"})
# Stripe's zero-decimal currencies among those it settles.
_ZERO_DECIMALS = frozenset({"jpy", "krw", "clp", "vnd", "xaf", "xof", "isk"})

CURRENCIES = tuple(sorted(_TWO_DECIMALS | _ZERO_DECIMALS))


def is_supported(currency: str) -> bool:
    return currency.lower() in _TWO_DECIMALS or currency.lower() in _ZERO_DECIMALS


def minor_unit_digits(currency: str) -> int:
    """0 for zero-decimal currencies (JPY), 2 for the others."""
    return 0 if currency.lower() in _ZERO_DECIMALS else 2
