"""make screenshots: log in as every demo role through the login form and screenshot every main page of the role
(``fupin.home.pagetour``) at 1366 px and 375 px wide into var/screenshots/<user>/<page>-<width>.png, in headless
system Chromium driven by Playwright (as the browser tests). Starts the platform with gunicorn on --host for the
run, on the database of DATABASE_URL (default the SQLite demo database; ``make db`` first).

    uv run python tools/screenshots.py [--host 127.0.0.1:8106] [--user demo_clerk ...] [--full-page]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
PASSWORD = "fupin-demo-2026"
WIDTHS = {"desktop": (1366, 800), "phone": (375, 740)}


def page_lists(users: list[str]) -> dict[str, list[tuple[str, str]]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from fupin.home.pagetour import pages_for

    result = {}
    for user in get_user_model().objects.filter(username__in=users):
        result[user.username] = [(p.name, p.path) for p in pages_for(user)]
    return result


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit("the server stopped (see above); `make screenshots` writes var/secret_key first")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def main() -> int:
    from fupin.home.pagetour import DEMO_USERS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1:8106")
    parser.add_argument("--user", action="append", help="only these demo users (repeatable)")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--lang", default="zh-hans", choices=("zh-hans", "en"),
                        help="the interface language (en: files named …-en.png)")
    args = parser.parse_args()
    users = args.user or list(DEMO_USERS)
    pages = page_lists(users)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fupin.wsgi:application", "--bind", args.host, "--workers", "2",
         "--threads", "2", "--timeout", "120"], cwd=ROOT, env={**os.environ})
    base = f"http://{args.host}"
    try:
        wait_for(base + "/login/", server)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for username in users:
                folder = OUT / username
                suffix = "" if args.lang == "zh-hans" else f"-{args.lang}"
                if not suffix:
                    shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True, exist_ok=True)
                for kind, (width, height) in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                    context.add_cookies([{"name": "django_language", "value": args.lang, "url": base}])
                    page = context.new_page()
                    page.goto(base + "/login/")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("form button[type=submit]")
                    page.wait_for_load_state("networkidle")
                    for name, path in pages.get(username, []):
                        t0 = time.perf_counter()
                        response = page.goto(base + path, wait_until="networkidle")
                        ms = (time.perf_counter() - t0) * 1000
                        file = folder / f"{name}-{kind}{suffix}.png"
                        page.screenshot(path=str(file), full_page=args.full_page)
                        status = response.status if response else 0
                        print(f"{username:20} {kind:7} {status} {ms:6.0f} ms  {path}  → {file.relative_to(ROOT)}")
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
