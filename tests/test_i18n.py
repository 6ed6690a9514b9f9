"""Invariant 7: every visible string is translatable; French and English are complete.

The catalogues are read with a small .po parser so that the checks need no gettext tools;
refreshing them (makemessages, compilemessages) is the lead's job, and these tests say when
someone forgot a step.
"""

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from booking import errors
from booking.emails import booking_message
from booking.models import Booking
from booking.services import Invitee, booking_create

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)  # a free Wednesday slot of the `coach` fixture

_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?) "(.*)"$')
_ESCAPE = re.compile(r"\\(.)")
# %(name)s, %(count)d, bare %s / %d, {name}, and HTML tags: a translation must keep them all.
_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}|</?[a-z][^>]*>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a .po file, header included; obsolete `#~` entries are skipped.

    gettext separates entries with a blank line; a string may continue on `"…"` lines.
    """
    entries: list[Entry] = []
    line = 1
    for block in re.split(r"(\n[ \t]*\n)", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for offset, text in enumerate(block.splitlines()):
            if text.startswith("#,"):
                entry.flags |= {flag.strip() for flag in text[2:].split(",")}
            elif text.startswith("#") or not text.strip():
                continue
            elif text.startswith('"'):
                assert target is not None, f"{path}: a string continues nothing: {text!r}"
                entry_append(entry, target, _unescape(text.strip()[1:-1]))
            else:
                match = _KEYWORD.match(text)
                assert match, f"{path}: cannot read {text!r}"
                keyword, index, value = match.groups()
                if keyword == "msgid":
                    entry.line = line + offset
                target = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else (
                    keyword, None)
                entry_set(entry, target, _unescape(value))
        if target is not None:
            entries.append(entry)
        line += block.count("\n")
    return entries


def entry_set(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    attr, index = target
    if attr == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, attr, value)


def entry_append(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    attr, index = target
    if attr == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, attr, getattr(entry, attr) + value)


@cache
def catalogue(language: str) -> tuple[Entry, list[Entry]]:
    """(header, messages) of locale/<language>/LC_MESSAGES/django.po."""
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    return header, [e for e in entries if e is not header]


def where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


def placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text))


def test_the_parser_reads_multi_line_strings_plurals_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello "\n"%(name)s"\n'
        'msgstr "Bonjour %(name)s"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] ""\n"plusieurs"\n\n'
        '#~ msgid "gone"\n#~ msgstr "parti"\n', encoding="utf-8")
    header, hello, plural = parse_po(po)
    assert header.msgstr == {0: "Language: fr\n"}
    assert hello.msgid == "Hello %(name)s" and hello.msgstr == {0: "Bonjour %(name)s"}
    assert hello.flags == {"fuzzy", "python-format"} and hello.line == 7
    assert plural.msgid_plural == "many" and plural.msgstr == {0: "un", 1: "plusieurs"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_catalogue_with_a_proper_header(language):
    header, messages = catalogue(language)
    info = header.msgstr[0]
    plural = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}
    assert f"Language: {language}\n" in info
    assert f"Plural-Forms: {plural[language]}\n" in info
    assert "charset=UTF-8" in info
    # msgfmt drops fuzzy entries, and a fuzzy header loses the charset and plural rule.
    assert "fuzzy" not in header.flags
    assert messages, "an empty catalogue: run makemessages"


def test_french_and_english_list_the_same_strings():
    french = {e.key for e in catalogue("fr")[1]}
    english = {e.key for e in catalogue("en")[1]}
    assert french - english == set(), "English .po is stale: run makemessages -l en"
    assert english - french == set(), "French .po is stale: run makemessages -l fr"


def test_every_french_string_is_translated_and_none_is_fuzzy():
    untranslated, fuzzy = [], []
    for entry in catalogue("fr")[1]:
        forms = 2 if entry.msgid_plural is not None else 1
        if any(not entry.msgstr.get(i, "").strip() for i in range(forms)):
            untranslated.append(where(entry))
        if "fuzzy" in entry.flags:
            fuzzy.append(where(entry))
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_tags_of_their_source(language):
    wrong = []
    for entry in catalogue(language)[1]:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid,
                                                                   entry.msgid_plural]
        for index, text in entry.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            # An empty English msgstr shows the source itself.
            if text and placeholders(text) != placeholders(source):
                wrong.append(f"{where(entry)} msgstr[{index}] {text!r}")
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert path.exists(), "run compilemessages"
    with path.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # msgid or (msgid, form) → text
    expected = {}
    for entry in catalogue(language)[1]:
        if "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[entry.key] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            expected |= {(entry.key, i): text for i, text in entry.msgstr.items()}
    compiled = {key: value for key, value in compiled.items() if key != ""}
    stale = {key: (compiled.get(key), value) for key, value in expected.items()
             if compiled.get(key) != value}
    assert stale == {}, "django.mo is older than django.po: run compilemessages"
    assert set(compiled) - set(expected) == set(), "django.mo has strings the .po lost"


def test_french_plural_rule_treats_zero_and_one_as_singular():
    with translation.override("fr"):
        forms = [translation.ngettext("%(minutes)s minute", "%(minutes)s minutes", n)
                 for n in (0, 1, 2)]
    assert forms[0] == forms[1] != forms[2]


def test_domain_messages_all_have_a_french_translation():
    french = {e.msgid for e in catalogue("fr")[1] if e.msgstr.get(0)}
    messages = [value for value in vars(errors).values() if isinstance(value, type(
        errors.SLOT_TAKEN))]
    messages += [*errors.REFUSAL_MESSAGES.values(), *Booking.Status.labels]
    with translation.override("en"):
        sources = {str(message) for message in messages}
    assert len(sources) > 10
    assert sources - french == set()


def test_slot_taken_message_is_french_by_default_and_english_on_request():
    with translation.override("fr"):
        french = str(errors.SLOT_TAKEN)
    with translation.override("en"):
        english = str(errors.SLOT_TAKEN)
    assert english == "Sorry, this slot has just been taken. Please choose another one."
    assert french != english and "créneau" in french


@pytest.mark.django_db
def test_picker_page_speaks_french_by_default_and_english_when_chosen(client, session_type):
    with time_machine.travel(NOW, tick=False):
        french = client.get("/demo/discovery/").content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get("/demo/discovery/").content.decode()
    for source in ("Book a session with", "Your time zone", "Show times"):
        with translation.override("fr"):
            shown = translation.gettext(source)
        assert shown != source
        assert shown in french and source not in french
        assert source in english and shown not in english
    assert "fuseau horaire" in french and "Semaine du" in french
    assert "Week of" in english


@pytest.mark.django_db
def test_confirmation_email_subject_is_in_the_invitees_language(session_type):
    with time_machine.travel(NOW, tick=False):
        booking = booking_create(session_type=session_type, start=START, invitee=Invitee(
            name="Ada Lovelace", email="ada@example.org", timezone=PARIS))
    subjects = {}
    for language in LANGUAGES:
        booking.invitee_language = language
        subjects[language] = booking_message(booking, role="invitee", kind="confirmed",
                                             now=NOW).subject
    assert subjects["en"].startswith("Confirmed: ")
    assert subjects["fr"].startswith("Réservation confirmée")
    assert "mercredi 3 mars 2027" in subjects["fr"] and "Wednesday" in subjects["en"]
