"""Run the mock outlets proxy in the foreground: ``python -m crawler.mock [--port N]``."""

from __future__ import annotations

import argparse
import contextlib
import threading
from pathlib import Path

from crawler.mock import MockOutlets


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m crawler.mock", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free)")
    parser.add_argument(
        "--outlet",
        action="extend",
        nargs="+",
        dest="outlets",
        metavar="NAME",
        help="serve only these outlets (default: all in tests/outlets)",
    )
    parser.add_argument("--outlets-dir", type=Path, default=None, help="directory of outlets")
    args = parser.parse_args(argv)
    mock = MockOutlets(args.outlets_dir, args.outlets, port=args.port)
    with mock:
        print(mock.proxy_url, flush=True)
        print(
            f"serving {', '.join(mock.outlets)} ({len(mock.routes)} routes); "
            f"export http_proxy={mock.proxy_url} https_proxy={mock.proxy_url}; Ctrl-C to stop",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
