from django.test import Client


def test_home_page_shows_the_users_region(users, households):
    c = Client()
    c.force_login(users["county"])
    r = c.get("/workbench/")
    assert r.status_code == 200
    assert r.context["region"].code == "533301"
    assert r.context["total_households"] == sum(row["households"] for row in r.context["summary"]) > 0
    assert r.context["user_scope"].prefix == "533301"  # the context processor of every page


def test_home_page_needs_a_login(db):
    r = Client().get("/workbench/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_site_root_is_the_public_portal_and_the_workbench_keeps_its_name(db):
    from django.urls import reverse

    assert reverse("home") == "/workbench/"
    r = Client().get("/")
    assert r.status_code == 200 and r.templates[0].name == "portal/home.html"
