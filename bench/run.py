"""Entry point of `make bench`: `python bench/run.py [--quick] [--only engine,slots,…]`.

Run as a script, Python puts `bench/` first on sys.path; put the project root there instead so
that the harness imports as the `bench` package and none of its modules can shadow a library.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from bench.main import main

    raise SystemExit(main(sys.argv[1:]))
