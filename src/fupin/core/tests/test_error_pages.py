"""Dead ends (issue 21 item 5): 403 and 404 are pages in the site's layout, Chinese first, with a way back;
the API docs load Swagger UI from the platform's own static files, not from a CDN."""

from django.test import Client


def test_404_is_a_chinese_page_with_a_way_back(users, settings):
    settings.DEBUG = False
    c = Client()
    c.force_login(users["clerk"])
    r = c.get("/households/999999999/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and "返回首页" in html
    assert 'class="topbar"' in html  # the site's layout, not Django's bare page
    assert "Not Found" not in html


def test_403_is_a_chinese_page(users, settings):
    settings.DEBUG = False
    c = Client()
    c.force_login(users["analyst"])
    r = c.get("/audit/")
    assert r.status_code == 403
    html = r.content.decode()
    assert "无权访问" in html and "返回首页" in html


def test_api_docs_use_local_assets(users):
    c = Client()
    c.force_login(users["analyst"])
    html = c.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
