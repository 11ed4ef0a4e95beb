"""The pages' `_()` (web/i18n.py: `_quick_gettext`) says exactly what Jinja's own newstyle gettext says: the
translation, its values escaped, "%%" a percent sign; it only looks each message up once."""

import pytest
from jinja2.ext import _gettext_alias

from referrals.web import i18n

CASES = [
    '{{ _("Leads") }}',
    '{{ _("Email %(who)s", who="<b>a&b</b>@example.com") }}',
    '{{ _("Expires %(when)s", when="in 3 days") }}',
    '{{ _("100%% sure") }}',
    '{{ _("Not in the catalogue <i>at all</i>") }}',
    '{{ _("Call %(number)s", number=n) }}',
]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
@pytest.mark.parametrize("source", CASES)
def test_the_pages_gettext_says_what_jinjas_says(language: str, source: str) -> None:
    env = i18n.environment(language)
    quick = env.globals["_"]
    assert quick is not _gettext_alias
    template = env.from_string(source)
    ours = template.render(n="+39 <02>")
    try:
        env.globals["_"] = _gettext_alias
        jinjas = env.from_string(source).render(n="+39 <02>")
    finally:
        env.globals["_"] = quick
    assert ours == jinjas
    assert "<b>" not in ours and "<02>" not in ours  # values escaped, as Jinja escapes them


def test_an_italian_page_message_is_translated() -> None:
    env = i18n.environment("it")
    assert env.from_string('{{ _("Leads") }}').render() != "Leads"
