import pytest

from booking.addresses import ascii_email, canonical_email


@pytest.mark.parametrize(("one", "other"), [
    ("Zoe.Durand+x@googlemail.com", "zoedurand@gmail.com"),
    ("zoe@müller.de", "zoe@xn--mller-kva.de"),
    ("ZOE@Example.ORG", "zoe@example.org"),
    ("zoe+coaching@example.org", "zoe@example.org"),
    ("ｚｏｅ@example.org", "zoe@example.org"),  # NFKC: full-width letters
    ("z.o.e@gmail.com", "zoe@googlemail.com"),
    ("zoe@MÜLLER.de", "zoe@müller.de"),
])
def test_spellings_of_one_mailbox_share_a_canonical_form(one, other):
    assert canonical_email(one) == canonical_email(other)


@pytest.mark.parametrize(("one", "other"), [
    ("zoe.durand@example.org", "zoedurand@example.org"),  # dots matter outside Gmail
    ("zoe@example.org", "zoe@example.net"),
])
def test_distinct_mailboxes_stay_distinct(one, other):
    assert canonical_email(one) != canonical_email(other)


def test_headers_carry_the_domain_idna_encoded():
    assert ascii_email("zoe@müller.de") == "zoe@xn--mller-kva.de"
    assert ascii_email("zoe@example.org") == "zoe@example.org"
