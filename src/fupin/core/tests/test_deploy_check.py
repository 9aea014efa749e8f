"""`fupin check --deploy` is clean with the documented production settings (docs/deploy.md; issue 20 B1)."""

import os
import secrets
import subprocess
import sys


def test_deploy_check_is_clean_behind_tls(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (playwright's event loop); a server has none.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "FUPIN_HTTPS": "1", "FUPIN_SECRET_KEY": secrets.token_urlsafe(50), "FUPIN_DEBUG": "",
           "FUPIN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
