"""The `vidvault` command line: operator tools beside the API server.

vidvault migrate --from mongodb://127.0.0.1:27017 --to mongodb://db.example:27017
"""

import argparse
import asyncio
import os

from vidvault.migrate.command import DEFAULT_DB, migrate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vidvault", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    move = commands.add_parser(
        "migrate",
        help="copy every collection, index and GridFS file to another MongoDB, then verify",
        description="Stop the API and the workers first. Safe to run again after an interruption.",
    )
    move.add_argument("--from", dest="source", required=True, help="source connection string")
    move.add_argument("--to", dest="target", required=True, help="target connection string")
    move.add_argument(
        "--db",
        default=os.environ.get("MONGODB_DB", DEFAULT_DB),
        help="database name where a URL names none (default: MONGODB_DB, else vidvault)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    verified = asyncio.run(migrate(args.source, args.target, args.db))
    return 0 if verified else 1


if __name__ == "__main__":
    raise SystemExit(main())
