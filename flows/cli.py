"""``corpus``: the command line. Errors the user can fix are printed as one line, without a traceback."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import traceback
from pathlib import Path

from pipeline import __version__, layout
from pipeline.errors import EXIT_ENVIRONMENT, EXIT_INTERNAL, PipelineError
from pipeline.layout import BuildFolders

EXAMPLES = {
    "build": "corpus build\n  corpus build --input data/raw --output data/processed --config build.toml --runner dask",
    "release": "corpus release --version 1.0.0\n  corpus release --version 1.1.0 --from data/processed "
               "--dest s3://bucket/corpus",
    "verify": "corpus verify v1.0.0\n  corpus verify data/processed/releases/v1.0.0",
    "serve": 'PREFECT_API_URL=http://127.0.0.1:4200/api corpus serve --cron "0 3 * * *"\n'
             "  corpus serve --interval 3600 --input data/raw --output data/processed",
    "sql": 'corpus sql "select province, count(*) from documents group by 1 order by 2 desc"\n'
           '  corpus sql --format csv "select rule, count(*) n from removals group by 1" > rules.csv\n'
           '  corpus sql --format json "select * from duplicates"',
    "validate": "corpus validate data/processed\n  corpus validate data/processed --config build.toml",
    "eval": "corpus eval\n  corpus eval --devset ../shared/devset --verbose\n  corpus eval --in-sample --json",
    "train": "corpus train\n  corpus train --devset ../shared/devset --out /tmp/models",
    "inspect": "corpus inspect 479a6ef94f462bc48d880eb6-0\n  corpus inspect 479a6e --output data/processed\n"
               "  corpus inspect 479a6e --json",
    "report": "corpus report\n  corpus report data/processed --previous old-manifest.json",
    "rollback": "corpus rollback\n  corpus rollback --output data/processed --to 20260101T030000.000000Z",
}


def _offline_defaults() -> None:
    """Settings for an offline machine; the user's own environment wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def command_build(args) -> int:
    from pipeline.config import load_config

    load_config(args.config)  # bad configuration fails before Prefect starts
    from pipeline.io import check_build_folders, output_lock

    check_build_folders(Path(args.input), Path(args.output))  # nothing is created in the input folder
    with output_lock(Path(args.output), hand_over=True):  # a second build is refused before Prefect loads
        if not args.verbose:  # the error line below is the one that matters; workers inherit the setting
            os.environ["CORPUS_ONE_LINE_ERRORS"] = "1"
        from flows.build import RUNNERS, run_build

        if args.runner not in RUNNERS:
            raise PipelineError(f"unknown runner {args.runner!r}; choose one of {', '.join(RUNNERS)}")
        manifest = run_build(args.input, args.output, args.config, runner=args.runner,
                             dask_address=args.dask_address, show_progress=not args.quiet)
    counts = manifest["counts"]
    if args.verbose:
        print("phase_seconds (wall time of the build's phases):")
        for phase, seconds in manifest.get("phase_seconds", {}).items():
            print(f"  {phase:<18}{seconds:>10.2f} s")
        print("stage_seconds (summed over shards):")
        for stage, seconds in manifest.get("stage_seconds", {}).items():
            print(f"  {stage:<18}{seconds:>10.2f} s")
    if args.quiet:
        return 0
    print(f"built {counts['documents']} documents from {counts['inputs']} inputs "
          f"({counts['quarantined']} quarantined, {counts['duplicates']} duplicates, "
          f"{counts['skipped_files']} files skipped) into {args.output}")
    return 0


def command_release(args) -> int:
    from pipeline.release import make_release, upload_release

    source = Path(args.source)
    releases = Path(args.releases) if args.releases else source / "releases"
    target = make_release(source, releases, args.version)
    print(f"released {target}")
    if args.dest:
        print(f"uploaded to {upload_release(target, args.dest)}")
    return 0


def _release_dir(name: str, releases: str) -> Path:
    path = Path(name)
    if path.is_dir():
        return path
    return Path(releases) / (name if name.startswith("v") else f"v{name}")


def command_verify(args) -> int:
    from pipeline.release import verify_release

    release = _release_dir(args.release, args.releases)
    problems = verify_release(release)
    if problems:
        for problem in problems:
            print(f"{release}: {problem}", file=sys.stderr)
        return 1
    print(f"{release}: every file matches SHA256SUMS, and SHA256SUMS matches the release manifest")
    return 0


def command_rollback(args) -> int:
    from pipeline import io, publication

    output = Path(args.output)
    if not publication.build_ids(output):
        raise PipelineError(f"{output} keeps no builds to roll back to (no {publication.BUILDS_NAME}/ folder)")
    with io.output_lock(output):
        build_id = publication.rollback(output, args.to)
    print(f"{output}: now publishes build {build_id} (kept: {', '.join(publication.build_ids(output))})")
    return 0


def check_cron(expression: str) -> None:
    """Raise ``PipelineError`` (one line) when ``expression`` is not a cron schedule Prefect accepts.

    >>> check_cron("0 3 * * *")
    >>> check_cron("bad cron")
    Traceback (most recent call last):
    ...
    pipeline.errors.PipelineError: --cron 'bad cron' is not a cron schedule (five fields, e.g. "0 3 * * *")
    """
    import pydantic
    from prefect.client.schemas.schedules import CronSchedule  # Prefect's own check: what serve would accept

    try:
        CronSchedule(cron=expression)
    except pydantic.ValidationError:
        raise PipelineError(f'--cron {expression!r} is not a cron schedule (five fields, e.g. "0 3 * * *")') from None


def deployment_parameters(input_dir: str, output_dir: str, config_file: str | None) -> dict:
    """The flow's parameters for a deployment, as absolute paths: a scheduled run starts in whatever
    working directory its runner has, so a relative ``data/raw`` would point somewhere else (or nowhere)."""
    return {"input_dir": str(Path(input_dir).resolve()), "output_dir": str(Path(output_dir).resolve()),
            "config_file": str(Path(config_file).resolve()) if config_file else None}


def command_serve(args) -> int:
    if bool(args.cron) == bool(args.interval):
        raise PipelineError("give exactly one of --cron and --interval")
    if args.cron:
        check_cron(args.cron)
    if not os.environ.get("PREFECT_API_URL"):
        raise PipelineError("corpus serve needs a Prefect server: start `prefect server start` and set "
                            "PREFECT_API_URL=http://127.0.0.1:4200/api")
    from pipeline.config import load_config

    load_config(args.config)
    from flows.build import build_corpus

    schedule = {"cron": args.cron} if args.cron else {"interval": args.interval}
    build_corpus.serve(
        name=args.name,
        parameters=deployment_parameters(args.input, args.output, args.config),
        print_starting_message=True,
        **schedule,
    )
    return 0


def command_validate(args) -> int:
    from pipeline.config import load_config
    from pipeline.validation import validate_folder

    config = load_config(args.config)
    from pipeline.publication import published_build

    folder = Path(args.folder)
    if not BuildFolders(folder).documents.is_dir():
        raise PipelineError(f"{folder} holds no build (no documents/ folder)")
    report = validate_folder(published_build(folder), config.validation)  # writes into the build, not the links
    print(f"{folder}: {report.count_text()} on {report.row_count} documents; "
          f"Data Docs: {BuildFolders(folder).validation / 'index.html'}")
    return 0


def _devset_folder(value: str | None) -> Path:
    from pipeline.evaluation.devset import default_devset_dir

    devset = Path(value) if value else default_devset_dir()
    if devset is None:
        raise PipelineError("no dev set found: pass --devset DIR or set CORPUS_DEVSET (default ../shared/devset)")
    if not (devset / "gold.jsonl").is_file():
        raise PipelineError(f"{devset} has no gold.jsonl")
    return devset


def command_eval(args) -> int:
    from pipeline.config import load_config
    from pipeline.evaluation.scores import evaluate_devset, evaluation_json, format_evaluation

    devset = _devset_folder(args.devset)
    result = evaluate_devset(devset, load_config(args.config), held_out=not args.in_sample, k=args.folds)
    print(evaluation_json(result) if args.json else format_evaluation(result, verbose=args.verbose))
    return 0


def command_train(args) -> int:
    from pipeline.config import load_config
    from pipeline.models.training import train_and_describe

    devset = _devset_folder(args.devset)
    card = train_and_describe(devset, Path(args.out) if args.out else None, load_config(args.config), k=args.folds)
    print(f"models and model card written to {card.parent}")
    return 0


def command_inspect(args) -> int:
    from pipeline.inspect import describe_document, document_json

    if args.json:
        print(document_json(Path(args.output), args.id))
    else:
        print(describe_document(Path(args.output), args.id), end="")
    return 0


def command_report(args) -> int:
    from pipeline.report import render_report

    folder = Path(args.folder)
    if not (folder / "manifest.json").is_file():
        raise PipelineError(f"{folder} holds no finished build (no manifest.json)")
    previous = json.loads(Path(args.previous).read_text(encoding="utf-8")) if args.previous else None
    from pipeline.publication import published_build

    print(render_report(published_build(folder), previous))
    return 0


# Views of `corpus sql`: name → (folder, suffix of its part files). Each view reads that folder's parts.
SQL_VIEWS = {"documents": (layout.DOCUMENTS, ".parquet"), "removals": (layout.REMOVALS, ".parquet"),
             "duplicates": (layout.DUPLICATES, ".parquet"), "quarantine": (layout.QUARANTINE, ".jsonl")}
SQL_FORMATS = ("table", "csv", "json")


def sql_connection(output: Path):
    """A DuckDB connection with one view per dataset of the build in ``output`` (``SQL_VIEWS``)."""
    import duckdb

    folders = BuildFolders(output)
    if not folders.document_parts():
        raise PipelineError(f"no build in {output}; run `corpus build` first")
    connection = duckdb.connect()
    for name, (folder, suffix) in SQL_VIEWS.items():
        parts = [str(path) for path in folders.parts(folder, suffix)]
        if not parts:
            continue  # e.g. no duplicates/ in a build made with deduplication off: the view is absent
        reader = "read_parquet" if suffix == ".parquet" else "read_json_auto"
        listed = ", ".join("'" + part.replace("'", "''") + "'" for part in parts)
        connection.execute(f"create view {name} as select * from {reader}([{listed}])")
    return connection


def command_sql(args) -> int:
    import duckdb

    connection = sql_connection(Path(args.output))
    try:
        relation = connection.sql(args.query)
        if relation is None:
            return 0
        if args.format == "table":
            relation.show(max_width=200)
            return 0
        names = relation.columns
        rows = relation.fetchall()
    except duckdb.Error as error:
        raise PipelineError(f"query failed: {str(error).splitlines()[0]}") from None
    if args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    else:  # json: one array of objects; dates and timestamps as ISO 8601 text
        from pipeline.inspect import json_value

        print(json.dumps([dict(zip(names, row, strict=True)) for row in rows], ensure_ascii=False, default=json_value))
    return 0


class VersionAction(argparse.Action):
    """``--version``: the pipeline version and the output schema version (imported only when asked: the
    schema module loads pyarrow, which every other command would otherwise pay for at start-up)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from pipeline.schema import SCHEMA_VERSION

        print(f"corpus {__version__} (schema {SCHEMA_VERSION})")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus",
        description="Build a clean, validated corpus from scraped Chinese web documents.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  corpus build\n  corpus build --input data/raw --output data/processed",
    )
    parser.add_argument("--version", action=VersionAction, help="print the pipeline and schema versions and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build data/raw into data/processed through the Prefect flow",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="examples:\n  " + EXAMPLES["build"])
    build.add_argument("--input", default="data/raw", help="folder of raw documents (default: data/raw)")
    build.add_argument("--output", default="data/processed", help="output folder (default: data/processed)")
    build.add_argument("--config", default=None, help="TOML config file (default: built-in defaults)")
    build.add_argument("--runner", default="process", help="task runner: process (default), thread or dask")
    build.add_argument("--dask-address", default=None, help="address of an existing Dask scheduler (tcp://…)")
    build.add_argument("--quiet", "-q", action="store_true", help="no progress bar, warnings and errors only")
    build.add_argument("--verbose", "-v", action="store_true", help="debug logs and seconds per stage")
    build.set_defaults(handler=command_build)

    def add(name: str, help_text: str):
        return sub.add_parser(name, help=help_text, formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog="examples:\n  " + EXAMPLES[name])

    _add_output_commands(add)
    _add_devset_commands(add)
    _add_reading_commands(add)
    return parser


def _add_output_commands(add) -> None:
    """Commands that publish, check or schedule outputs: release, verify, serve, rollback, validate."""
    release = add("release", "publish a validated build as a versioned release (never overwritten)")
    release.add_argument("--version", required=True, help="SemVer X.Y.Z; a schema change needs a new major")
    release.add_argument("--from", dest="source", default="data/processed",
                         help="build folder (default: data/processed)")
    release.add_argument("--releases", default=None, help="releases folder (default: <from>/releases)")
    release.add_argument("--dest", default=None, help="also copy the release to this fsspec URL")
    release.set_defaults(handler=command_release)

    verify = add("verify", "re-hash every file of a release against its SHA256SUMS")
    verify.add_argument("release", help="version (v1.0.0) or release folder")
    verify.add_argument("--releases", default="data/processed/releases", help="releases folder")
    verify.set_defaults(handler=command_verify)

    serve = add("serve", "register the build flow on a Prefect server and run it on a schedule")
    serve.add_argument("--cron", default=None, help='cron schedule, e.g. "0 3 * * *"')
    serve.add_argument("--interval", type=float, default=None, help="seconds between runs")
    serve.add_argument("--name", default="scheduled-build", help="deployment name")
    serve.add_argument("--input", default="data/raw")
    serve.add_argument("--output", default="data/processed")
    serve.add_argument("--config", default=None)
    serve.set_defaults(handler=command_serve)

    rollback = add("rollback", "publish the previous kept build again (one atomic switch of <output>/current)")
    rollback.add_argument("--output", default="data/processed", help="build folder (default: data/processed)")
    rollback.add_argument("--to", default=None, help="build id to publish (default: the one before the current)")
    rollback.set_defaults(handler=command_rollback)

    validate = add("validate", "re-validate an existing build folder (checksums, then the expectation suite)")
    validate.add_argument("folder", nargs="?", default="data/processed", help="build folder (default: data/processed)")
    validate.add_argument("--config", default=None, help="TOML config file whose [validation] table to use")
    validate.set_defaults(handler=command_validate)


def _add_devset_commands(add) -> None:
    """Commands on the annotated dev set: eval, train."""
    evaluate = add("eval", "score removal precision/recall and metadata fields on the annotated dev set")
    evaluate.add_argument("--devset", default=None, help="folder with gold.jsonl and raw/ (default ../shared/devset)")
    evaluate.add_argument("--config", default=None, help="TOML config file")
    evaluate.add_argument("--verbose", action="store_true", help="list every miss")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--in-sample", action="store_true", help="only the configured models on all pages (fast)")
    evaluate.add_argument("--folds", type=int, default=5, help="site-grouped folds for the held-out scores")
    evaluate.set_defaults(handler=command_eval)

    train = add("train", "train the learned components on the dev set's tuning pages and write the model card")
    train.add_argument("--devset", default=None, help="folder with gold.jsonl and raw/ (default ../shared/devset)")
    train.add_argument("--out", default=None, help="model folder (default: the package's shipped models)")
    train.add_argument("--config", default=None, help="TOML config file")
    train.add_argument("--folds", type=int, default=5, help="site-grouped folds for the held-out scores in the card")
    train.set_defaults(handler=command_train)


def _add_reading_commands(add) -> None:
    """Commands that read a build: inspect, report, sql."""
    inspect = add("inspect", "print one document with its metadata and its removals")
    inspect.add_argument("id", help="document id (or a unique prefix of at least 6 characters)")
    inspect.add_argument("--output", default="data/processed", help="build folder (default: data/processed)")
    inspect.add_argument("--json", action="store_true", help="print the document and its removals as one JSON object")
    inspect.set_defaults(handler=command_inspect)

    report = add("report", "re-render report.html for a build folder")
    report.add_argument("folder", nargs="?", default="data/processed")
    report.add_argument("--previous", default=None, help="manifest.json of an earlier build, for the diff")
    report.set_defaults(handler=command_report)

    sql = add("sql", "run a DuckDB query over the latest build (views: " + ", ".join(SQL_VIEWS) + ")")
    sql.add_argument("query")
    sql.add_argument("--output", default="data/processed", help="build folder (default: data/processed)")
    sql.add_argument("--format", choices=SQL_FORMATS, default="table",
                     help="table (default, for reading), csv or json (for other programs)")
    sql.set_defaults(handler=command_sql)


def _logging_level(args) -> None:
    """--quiet: warnings only; --verbose: debug. Set before Prefect is imported so its loggers follow."""
    if getattr(args, "quiet", False):
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    elif getattr(args, "verbose", False):
        os.environ["PREFECT_LOGGING_LEVEL"] = "DEBUG"
        os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", _verbose_logging_settings())


def _verbose_logging_settings() -> str:
    """A Prefect logging config for ``--verbose``: Prefect's own, with ``prefect.events`` at INFO (its
    websocket DEBUG lines were 78 of 132 lines of a verbose build and say nothing about the build).
    Written to a temporary file, through the environment so that task worker processes use it too."""
    import atexit
    import importlib.util
    import tempfile

    import yaml

    (package,) = importlib.util.find_spec("prefect").submodule_search_locations
    config = yaml.safe_load((Path(package) / "logging" / "logging.yml").read_text(encoding="utf-8"))
    config["loggers"]["prefect.events"] = {"level": "INFO"}
    handle, path = tempfile.mkstemp(prefix="corpus-logging-", suffix=".yml")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        yaml.safe_dump(config, file)
    atexit.register(lambda: Path(path).unlink(missing_ok=True))
    return path


# What to do about an environmental failure, by errno.
ENVIRONMENT_ADVICE = {
    errno.ENOSPC: "free space on that file system (or choose another --output) and run the build again",
    errno.EDQUOT: "free space within your quota and run the build again",
    errno.EACCES: "check the permissions of that path",
    errno.EPERM: "check the permissions of that path",
    errno.EROFS: "the file system is read-only; choose another --output",
    errno.EIO: "the disk reported an I/O error; check it before building again",
}


def _environment_message(error: OSError) -> str:
    where = f": {error.filename}" if getattr(error, "filename", None) else ""
    advice = ENVIRONMENT_ADVICE.get(error.errno, "check the file system and run the build again")
    return f"{error.strerror or type(error).__name__}{where}; {advice}"


def main(argv: list[str] | None = None) -> int:
    _offline_defaults()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "quiet", False) and getattr(args, "verbose", False):
        parser.error("--quiet and --verbose exclude each other")
    _logging_level(args)
    verbose = getattr(args, "verbose", False)
    if args.command == "build":
        from flows.lifeline import start_lifeline

        start_lifeline()  # workers and the temporary Prefect server end with this process, even on SIGKILL
    try:
        return args.handler(args)
    except PipelineError as error:
        print(f"corpus {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        if verbose:
            traceback.print_exc()
        print(f"corpus {args.command}: error: {_environment_message(error)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print(f"corpus {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: one line, the traceback on request
        if verbose:
            traceback.print_exc()
        first = (str(error).splitlines() or [""])[0][:300]
        hint = "" if verbose else "; rerun with --verbose for the traceback" if hasattr(args, "verbose") else ""
        print(f"corpus {args.command}: error: unexpected {type(error).__name__}: {first}{hint}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
