"""The ``mlfolio`` command: a thin front end over the core. Exit codes: 0 clean, 1 problems, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlfolio import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlfolio",
        description="Write down why a model should exist before you build it.",
    )
    parser.add_argument("--version", action="version", version=f"mlfolio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    v = sub.add_parser("validate", help="check specs and report every problem with its line")
    v.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="spec files or directories (default: projects/)")
    v.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format (default: text)")
    v.add_argument("--strict", action="store_true", help="fail on warnings too")
    v.add_argument("--schema", type=Path,
                   help="schema file (default: schemas/project.schema.json if present, else the one shipped with mlfolio)")
    v.add_argument("--config", type=Path,
                   help="mkdocs.yml whose mlfolio verdict_rules and reviewers apply (default: ./mkdocs.yml if present)")

    n = sub.add_parser("new", help="write a new spec with every section as a commented prompt")
    n.add_argument("id", help="project id: lower-case letters, digits, '-' and '_'")
    n.add_argument("--dir", type=Path, default=Path("projects"), help="where specs live (default: projects/)")
    n.add_argument("--title", help="project title (default: from the id)")
    n.add_argument("--team", help="owning team")
    n.add_argument("--owner", help="an owner's name")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")

    d = sub.add_parser("diff", help="describe, as Markdown, what a change to the specs means")
    d.add_argument("base", help="git ref or directory before the change")
    d.add_argument("head", help="git ref or directory after the change")
    d.add_argument("--specs", default="projects", help="spec directory inside a git ref (default: projects)")
    d.add_argument("--config", type=Path, help="mkdocs.yml whose mlfolio verdict_rules apply (default: ./mkdocs.yml if present)")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from jsonschema.exceptions import SchemaError

    from mlfolio.cli.parallel import batch_mapper
    from mlfolio.cli.reporters import REPORTERS
    from mlfolio.runtime import collector_paused
    from mlfolio.spec.check import Checker
    from mlfolio.spec.schema import load_schema, schema_path_for

    if args.schema is not None and not args.schema.is_file():
        print(f"mlfolio: error: schema file not found: {args.schema}", file=sys.stderr)
        return EXIT_USAGE
    paths = args.paths or [Path("projects")]
    schema = args.schema or schema_path_for(Path.cwd())
    try:
        spec_schema = load_schema(schema)
    except (OSError, ValueError, SchemaError) as exc:  # unreadable, not JSON, not a JSON Schema
        reason = " ".join(str(exc).split("\n\n")[0].split())
        print(f"mlfolio: error: {schema} is not a usable JSON Schema: {reason}", file=sys.stderr)
        return EXIT_USAGE
    try:  # the site's verdict rules and reviewers, so validate judges as the build does
        checks = _site_checks(args.config, spec_schema)
    except ValueError as exc:
        print(f"mlfolio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    checker = Checker(spec_schema, checks=checks)
    with collector_paused():  # thousands of acyclic specs: the cycle collector would only rescan them
        run = checker.check_paths(paths, keep_data=False, mapper=batch_mapper)  # diagnostics only: large batches use every core
    sys.stdout.write(REPORTERS[args.format](run))
    return EXIT_OK if run.ok(strict=args.strict) else EXIT_PROBLEMS


def _new(args: argparse.Namespace) -> int:
    import re

    from mlfolio.cli.scaffold import UnwritableValue, scaffold
    from mlfolio.spec.schema import load_schema, schema_path_for

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", args.id) or len(args.id) > 64:
        print(f"mlfolio: error: '{args.id}' is not a valid project id: use lower-case letters, digits, '-' and '_'", file=sys.stderr)
        return EXIT_USAGE
    target = args.dir / f"{args.id}.yaml"
    if target.exists() and not args.force:
        print(f"mlfolio: error: {target} already exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_USAGE
    ref = _schema_ref(args.dir)
    try:
        schema = load_schema(schema_path_for(Path.cwd()))
    except (OSError, ValueError) as exc:
        print(f"mlfolio: error: {schema_path_for(Path.cwd())} is not a usable JSON Schema: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:  # the values are written, read back and checked before anything is created
        text = scaffold(schema, args.id, ref, title=args.title, team=args.team, owner=args.owner)
    except UnwritableValue as exc:
        print(f"mlfolio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"mlfolio: error: cannot create {args.dir}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.as_posix()}: fill in the open fields, then run `mlfolio validate {target.as_posix()}`")
    return EXIT_OK


def _schema_ref(spec_dir: Path) -> str:
    """The schema as the new spec should point at it: relative, never a machine path.

    The nearest ``schemas/project.schema.json`` above the spec folder if there is one, else
    the conventional ``../schemas/project.schema.json`` of an mlfolio repository."""
    start = spec_dir.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "schemas" / "project.schema.json"
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start)).as_posix()
    return "../schemas/project.schema.json"


def _site_checks(config_file: Path | None, schema: Any) -> tuple[Any, ...]:
    """The verdict checks of the site whose ``mkdocs.yml`` is ``config_file`` (default: ./mkdocs.yml
    if present); ``ValueError`` for options that are not valid."""
    from mlfolio.analysis.verdict import DEFAULT_RULES, parse_rules
    from mlfolio.analysis.verdict_checks import verdict_checks
    from mlfolio.cli.settings import plugin_options

    config = config_file or (Path("mkdocs.yml") if Path("mkdocs.yml").is_file() else None)
    options = plugin_options(config) if config is not None else {}
    rules = parse_rules(options["verdict_rules"], schema) if options.get("verdict_rules") is not None else DEFAULT_RULES
    reviewers = options.get("reviewers") or []
    if not isinstance(reviewers, list) or not all(isinstance(r, str) for r in reviewers):
        raise ValueError(f"reviewers in {config} must be a list of names")
    return verdict_checks(schema, rules, reviewers)


def _diff(args: argparse.Namespace) -> int:
    from mlfolio.analysis.verdict import DEFAULT_RULES, parse_rules
    from mlfolio.cli.diff import DiffError, diff_sources
    from mlfolio.cli.settings import plugin_options
    from mlfolio.spec.schema import load_schema, schema_path_for

    config = args.config or (Path("mkdocs.yml") if Path("mkdocs.yml").is_file() else None)
    rules = DEFAULT_RULES
    try:
        options = plugin_options(config) if config is not None else {}
        if options.get("verdict_rules") is not None:  # the site's rules, so the summary agrees with it
            rules = parse_rules(options["verdict_rules"], load_schema(schema_path_for(Path.cwd())))
        sys.stdout.write(diff_sources(args.base, args.head, specs=args.specs, rules=rules))
    except (DiffError, ValueError) as exc:
        print(f"mlfolio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"validate": _validate, "new": _new, "diff": _diff}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # `mlfolio validate | head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
