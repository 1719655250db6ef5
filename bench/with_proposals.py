"""`scrapy` with the changes of bench/proposals.py applied (they are not the project's yet).

    python -m bench.with_proposals crawl synthetic -a start=… -s CONCURRENT_ITEMS=16

Runs in the crawling process and, forked from it, in the extraction workers, so the
benchmark measures what the proposals would buy on the project's real road.
"""

from __future__ import annotations

import sys

from bench import proposals


def main() -> None:
    proposals.apply()
    proposals.sqlite_normal_sync()
    from scrapy.cmdline import execute

    sys.argv = ["scrapy", *sys.argv[1:]]
    execute()


if __name__ == "__main__":
    main()
