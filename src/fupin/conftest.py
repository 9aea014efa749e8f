"""Shared test fixtures: a small real-shaped division tree, users of every role, and households with
valid ID numbers, built with factories (fupin.testing)."""

import os
import shutil

import pytest

from fupin import testing


@pytest.fixture
def tree(db):
    return testing.make_tree()


@pytest.fixture
def users(tree):
    return testing.make_users(tree)


@pytest.fixture
def households(tree):
    return testing.make_households(tree)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    """Headless Chromium (Debian's package) driven by Playwright, for the tests marked ``browser``."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing; `make setup` installs the Debian package chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def spark_session():
    """One small local Spark session for the whole test session (tests marked ``spark``): one core, two shuffle
    partitions, no UI — starting Spark costs seconds, so it is started once."""
    if not shutil.which("java"):
        pytest.fail("Java is missing; `make setup` installs the Debian package openjdk-17-jre-headless")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("fupin-tests")
               .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _clear_caches():
    from django.core.cache import cache

    from fupin.core import codes

    cache.clear()
    codes.clear_cache()
    yield


@pytest.fixture(autouse=True)
def _english_messages_unless_a_request_says_otherwise():
    """Messages raised outside requests (services, commands) are asserted in English; a request in an earlier
    test must not leave its language active for the next test."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_audit_channel_left_over():
    """A command or job run in a test sets the audit channel (``core.audit.set_channel``) for the rest of the
    thread: reset it, so the next test's audit events are not recorded under an earlier test's channel."""
    from fupin.core import audit

    token = audit._context.set(None)
    yield
    audit._context.reset(token)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# CI replays the same examples every run (derandomized); developers' runs keep exploring new ones.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
