"""CLI: `python -m etl build [--raw DIR] [--out DIR] [--check] [--force]` and
`python -m etl fetch [--raw DIR] [--only SOURCE] [--list]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build data/build from data/raw")
    b.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    b.add_argument("--out", type=Path, default=ROOT / "data" / "build")
    b.add_argument("--check", action="store_true", help="validate every input without writing")
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    f = sub.add_parser("fetch", help="download the latest publications into data/raw (online)")
    f.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    f.add_argument("--only", action="append", help="source module name(s) to fetch")
    f.add_argument("--list", action="store_true", help="show what each source fetches and how; no download")
    args = ap.parse_args(argv)

    from etl.errors import InputError

    if args.cmd == "build":
        from etl.build import build

        try:
            build(args.raw, args.out, check_only=args.check, force=args.force)
        except InputError as exc:
            print(f"build failed: {exc}", file=sys.stderr)
            print("the previous build (if any) was left untouched", file=sys.stderr)
            return 1
        return 0
    from etl.fetch import fetch, listing

    if args.list:
        print(listing(args.raw, args.only))
        return 0
    return fetch(args.raw, only=args.only)


if __name__ == "__main__":
    sys.exit(main())
