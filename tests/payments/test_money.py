import pytest

from payments.money import format_money

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("amount", "currency", "language", "shown"), [
    (9000, "eur", "fr", f"90,00{NBSP}€"),
    (9000, "eur", "en", "€90.00"),
    (9000, "EUR", "en", "€90.00"),
    (123450, "eur", "fr", f"1{NNBSP}234,50{NBSP}€"),
    (123450, "usd", "en", "$1,234.50"),
    (123450, "usd", "fr", f"1{NNBSP}234,50{NBSP}$US"),
    (5, "gbp", "en", "£0.05"),
    (5, "gbp", "fr", f"0,05{NBSP}£GB"),
    (12000, "chf", "en", f"CHF{NBSP}120.00"),
    (12000, "chf", "fr", f"120,00{NBSP}CHF"),
    (0, "eur", "fr", f"0,00{NBSP}€"),
    (500, "jpy", "en", "¥500"),
    (9000, "eur", "en-gb", "€90.00"),
])
def test_amounts_are_written_as_each_language_writes_them(amount, currency, language, shown):
    assert format_money(amount, currency, language) == shown
