"""Command line: python -m pipelines build | ingest | export | status | snapshot."""
from __future__ import annotations

import sys

from pipelines.cli import run


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv if argv is not None else sys.argv[1:])
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
