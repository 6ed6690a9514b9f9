"""Amounts in minor units, shown as each language writes them (CLDR's patterns, as Babel would).

Babel is not a dependency, and the site speaks French and English only: a small table is
enough. French: "1 234,50 €" (narrow no-break space between thousands, no-break space before
the symbol); English: "€1,234.50". Unknown currencies show their upper-case code.
"""

from dataclasses import dataclass

from availability.currencies import minor_unit_digits

NBSP = "\u00a0"
NNBSP = "\u202f"


@dataclass(frozen=True, slots=True)
class _Style:
    group: str
    decimal: str
    symbol_first: bool
    symbols: dict[str, str]


_STYLES = {
    "fr": _Style(group=NNBSP, decimal=",", symbol_first=False,
                 symbols={"eur": "€", "usd": "$US", "gbp": "£GB", "chf": "CHF"}),
    "en": _Style(group=",", decimal=".", symbol_first=True,
                 symbols={"eur": "€", "usd": "$", "gbp": "£", "chf": "CHF", "jpy": "¥"}),
}


def format_money(amount_minor: int, currency: str, language: str) -> str:
    """`format_money(9000, "eur", "fr")` → "90,00 €"; `(9000, "eur", "en")` → "€90.00"."""
    style = _STYLES.get(language.split("-")[0].lower(), _STYLES["en"])
    code = currency.lower()
    digits = minor_unit_digits(code)
    units, cents = divmod(abs(amount_minor), 10 ** digits)
    number = f"{units:,}".replace(",", style.group)
    if digits:
        number += style.decimal + f"{cents:0{digits}d}"
    symbol = style.symbols.get(code, code.upper())
    sign = "-" if amount_minor < 0 else ""
    if not style.symbol_first:
        return f"{sign}{number}{NBSP}{symbol}"
    # A letter code needs a space before the digits; a sign like € does not.
    gap = NBSP if symbol[-1].isalpha() else ""
    return f"{sign}{symbol}{gap}{number}"
