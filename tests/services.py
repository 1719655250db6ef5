"""Say, before the suite runs, which of the machine's services the tests can use.

PostgreSQL (127.0.0.1:5432, database ``test``) and Redis (127.0.0.1:6379) are expected
on every development and CI machine. Where one is missing, its tests are skipped with
a reason; under CI=true they fail instead, and this script says why up front.
"""

from __future__ import annotations

import os
import socket
import sys

SERVICES = {
    "PostgreSQL": (os.environ.get("TEST_PG_HOST", "127.0.0.1"), 5432,
                   "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    "Redis": ("127.0.0.1", 6379, "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''"),
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    missing = []
    for name, (host, port, how) in SERVICES.items():
        if reachable(host, port):
            print(f"services: {name} at {host}:{port} is up")
        else:
            missing.append(name)
            print(f"services: {name} at {host}:{port} is NOT reachable; its tests will be skipped "
                  f"(start it with: {how})")
    if missing and os.environ.get("CI") == "true":
        print(f"services: CI=true and {', '.join(missing)} missing: CI machines must provide them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
