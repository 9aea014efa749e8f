"""X3: Chinese first, English switchable, every message translated."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

PO = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_chinese_by_default_whatever_the_browser_says(db):
    html = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


def test_english_after_switching(db):
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert r.status_code == 302
    html = c.get("/login/").content.decode()
    assert 'lang="en"' in html and "Log in" in html


def test_every_message_has_a_chinese_translation():
    import polib

    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]


@pytest.mark.parametrize("path", ["/workbench/", "/regions/", "/households/", "/settings/tokens/"])
def test_pages_render_in_both_languages(users, households, path):

    for lang, word in (("zh-hans", "贫困户"), ("en", "Households")):
        c = Client()
        c.force_login(users["county"])
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        html = c.get(path).content.decode()
        assert word in html, (lang, path)
