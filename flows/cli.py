"""``corpus``: the command line. Errors the user can fix are printed as one line, without a traceback."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipeline.errors import PipelineError

EXAMPLES = {
    "build": "corpus build\n  corpus build --input data/raw --output data/processed --config build.toml --runner dask",
}


def _offline_defaults() -> None:
    """Settings for an offline machine; the user's own environment wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def command_build(args) -> int:
    from pipeline.config import load_config

    load_config(args.config)  # bad configuration fails before Prefect starts
    from pathlib import Path as _Path

    from pipeline.io import check_input_folder, check_output_folder

    check_input_folder(_Path(args.input))
    check_output_folder(_Path(args.output))
    from flows.build import RUNNERS, run_build

    if args.runner not in RUNNERS:
        raise PipelineError(f"unknown runner {args.runner!r}; choose one of {', '.join(RUNNERS)}")
    manifest = run_build(args.input, args.output, args.config, runner=args.runner, dask_address=args.dask_address)
    counts = manifest["counts"]
    print(f"built {counts['documents']} documents from {counts['inputs']} inputs "
          f"({counts['quarantined']} quarantined, {counts['duplicates']} duplicates, "
          f"{counts['skipped_files']} files skipped) into {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus",
        description="Build a clean, validated corpus from scraped Chinese web documents.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  corpus build\n  corpus build --input data/raw --output data/processed",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build data/raw into data/processed through the Prefect flow",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="examples:\n  " + EXAMPLES["build"])
    build.add_argument("--input", default="data/raw", help="folder of raw documents (default: data/raw)")
    build.add_argument("--output", default="data/processed", help="output folder (default: data/processed)")
    build.add_argument("--config", default=None, help="TOML config file (default: built-in defaults)")
    build.add_argument("--runner", default="process", help="task runner: process (default), thread or dask")
    build.add_argument("--dask-address", default=None, help="address of an existing Dask scheduler (tcp://…)")
    build.set_defaults(handler=command_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    _offline_defaults()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except PipelineError as error:
        print(f"corpus {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"corpus {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
