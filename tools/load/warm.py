"""Wait until the server of the load test answers (at most 60 s), then ask each of its pages once, as the first
people of the morning would: a server in service is warm."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def main(base: str) -> int:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=10) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            print(f"the server at {base} did not answer within 60 s", file=sys.stderr)
            return 1
        time.sleep(0.5)
    for _ in range(8):  # a few each: the workers take them in turn
        for path in ("/login/", "/", "/progress/"):
            try:
                urllib.request.urlopen(base + path, timeout=30).read()
            except urllib.error.URLError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
