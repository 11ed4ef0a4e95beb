"""The country list the pages offer (the lead filter, the directory, the profile, the send-a-lead form) is ISO
3166-1's, named in the reader's language: no pseudo-locales, groupings or reserved codes."""

from referrals.adapters.countries import country_names, to_alpha2
from referrals.web.i18n import Formatter
from tests.factories import NOW


def test_the_country_list_is_iso_3166_without_junk_locales():
    codes = dict(country_names("en"))

    assert len(codes) == 249
    assert {"XA", "XB", "XK", "EU", "UN", "ZZ", "QO", "IC", "EA"}.isdisjoint(codes)
    assert not [name for name in codes.values() if "Pseudo" in name]
    assert codes["IT"] == "Italy" and codes["AX"] == "Åland Islands"


def test_the_pages_show_country_names_in_the_readers_language_sorted_by_name():
    italian = Formatter("it", "Europe/Rome", NOW).countries()

    assert dict(italian)["DE"] == "Germania"
    names = [name for _code, name in italian]
    assert names.index("Austria") < names.index("Belgio") < names.index("Italia")
    assert [code for code, _ in italian] == [code for code, _ in Formatter("it", "UTC", NOW).countries()]


def test_what_is_not_a_country_is_not_read_as_one():
    assert to_alpha2("XA") is None and to_alpha2("Pseudo-Accents") is None
    assert to_alpha2("Italia") == "IT" and to_alpha2("ITA") == "IT"
