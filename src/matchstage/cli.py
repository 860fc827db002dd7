"""Command line: ``matchstage match`` and ``matchstage evaluate``. Each command parses its arguments,
calls one library function and prints the result; the ranking logic lives in the library."""

from __future__ import annotations

import atexit
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from matchstage import __version__
from matchstage.analysis.taxonomy import TaxonomyError
from matchstage.cache import Cache, default_cache_dir
from matchstage.cli_i18n import Group, lang_option
from matchstage.i18n import _, ngettext
from matchstage.match import MatchError, MatchOptions, match, offer_files
from matchstage.outputs.progress import for_terminal
from matchstage.outputs.report import (
    OUTPUT_SUFFIXES,
    assignment_csv_text,
    csv_text,
    json_text,
    matrix_csv_text,
    summary,
    write_atomically,
    write_output,
)
from matchstage.ranking.assignment import AssignError, parse_capacities, with_assignment
from matchstage.ranking.results import MatchResult
from matchstage.ranking.scoring import ScoringRules, Weights, WeightsError
from matchstage.reading.documents import ReadLimits
from matchstage.reading.extraction import default_jobs

JOBS_HELP = "Worker processes for reading files, and as many for analysing them [default: the CPUs matchstage may use]"


F = TypeVar("F", bound=Callable[..., Any])


def reading_options(function: F) -> F:
    """The reading limits ``match`` and ``inspect`` share (one place for their names, defaults and help)."""
    for option in reversed((
        click.option("--timeout", default=ReadLimits.timeout_s, show_default=True, type=click.FloatRange(min=0.1),
                     help="Seconds allowed to extract the text of one file."),
        click.option("--max-pages", default=ReadLimits.max_pages, show_default=True, type=click.IntRange(min=1),
                     help="Skip documents with more pages (too-large)."),
        click.option("--max-mb", default=ReadLimits.max_mb, show_default=True, type=click.FloatRange(min=0.01),
                     help="Skip files bigger than this many megabytes (too-large)."),
        click.option("--password", default=None, help="Password for encrypted offer or CV PDFs."),
        click.option("--ocr/--no-ocr", default=True, show_default=True,
                     help="Read scanned PDFs by OCR (tesseract, French) when it is installed; --no-ocr skips them."),
    )):
        function = option(function)
    return function


def _err(message: str) -> None:
    click.echo(message, err=True)


def _weights(spec: str | None, config: Path | None) -> Weights:
    weights = ScoringRules.load().weights
    try:
        if config is not None:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
            weights = weights.with_overrides(data.get("weights", {}))
        if spec:
            weights = weights.with_overrides(spec)
    except (WeightsError, tomllib.TOMLDecodeError) as exc:
        raise click.BadParameter(str(exc), param_hint="--weights/--config") from None
    return weights


def _cache_max_age(option: float | None, config: Path | None) -> float | None:
    """--cache-max-age, else the config file's ``[cache] max_age_days``, else None (the cache's own setting)."""
    if option is not None or config is None:
        return option
    value = tomllib.loads(config.read_text(encoding="utf-8")).get("cache", {}).get("max_age_days")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise click.BadParameter(_("[cache] max_age_days = {value!r}: give a number of days, at least 1").format(
            value=value), param_hint="--config")
    return float(value)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matchstage", help="Show the version and exit.")
@lang_option
def cli() -> None:
    """Rank candidates' CVs against offers on skills, disciplines and methods, and explain each score.

    matchstage ranks and explains; the decision stays with you.
    """


@cli.command("match")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="OFFER... CANDIDATES")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1),
              help="Candidates shown per offer in the table (CSV and JSON hold all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="What goes to standard output.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the result to FILE (.csv, .json or .html, by extension); repeatable.")
@click.option("--weights", "weight_spec", metavar="NAME=W,...",
              help="Override weights, e.g. disciplines=0.4,methods=0.3,skills=0.2,text=0.1.")
@click.option("--config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="TOML file with a [weights] table (and optionally [cache] max_age_days).")
@click.option("--taxonomy", "taxonomy_dir", metavar="DIR",
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Use the taxonomy in DIR instead of the shipped one.")
@click.option("--jobs", default=default_jobs, type=click.IntRange(min=1), help=JOBS_HELP)
@reading_options
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="Where analysed documents are cached (default: the user's cache directory).")
@click.option("--no-cache", is_flag=True, help="Analyse every document again and keep nothing.")
@click.option("--cache-max-age", "cache_max_age", type=click.FloatRange(min=1), metavar="DAYS",
              help="Purge cached documents unused for DAYS days; kept as the cache's setting [default: 60].")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on standard error.")
@click.option("--matrix", "matrix_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the candidates × offers scores to FILE.csv.")
@click.option("--assign", is_flag=True,
              help="Suggest who could go where: each candidate on at most one offer, the largest sum of scores. "
                     "A suggestion: the decision is yours.")
@click.option("--capacity", "capacity_specs", multiple=True, metavar="OFFER=N,...",
              help="Places per offer for --assign (default 1); N alone sets every offer not named; "
                     "repeatable. Implies --assign.")
@click.option("--min-score", type=click.FloatRange(0, 100), default=None, metavar="N",
              help="Lowest score (0-100) that may fill a place in --assign; default 0: any score above 0. "
                     "Implies --assign.")
@click.option("--assignment", "assignment_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the suggested assignment to FILE.csv. Implies --assign.")
@click.option("--blind", is_flag=True,
              help="Blind review: show candidates as pseudonyms (Candidate 07), without names, contact details "
                     "or file names, in every output.")
@click.option("--blind-key", type=click.Path(path_type=Path, dir_okay=False),
              help="With --blind, write which files each pseudonym stands for to FILE (.csv, readable by you only).")
@lang_option
def match_command(
    paths: tuple[Path, ...], top: int, fmt: str, outputs: tuple[Path, ...], weight_spec: str | None,
    config: Path | None, taxonomy_dir: Path | None, jobs: int, timeout: float, max_pages: int, max_mb: float,
    password: str | None, ocr: bool, cache_dir: Path | None, no_cache: bool, cache_max_age: float | None,
    quiet: bool, matrix_out: Path | None, assign: bool, capacity_specs: tuple[str, ...], min_score: float | None,
    assignment_out: Path | None, blind: bool, blind_key: Path | None,
) -> None:
    """Rank the candidates in CANDIDATES against each OFFER.

    \b
    matchstage match OFFER... CANDIDATES
    OFFER is an offer file (.txt .md .html .pdf .docx .odt) or a folder of them;
    CANDIDATES is a folder: each file in it is a candidate, each subfolder is one
    candidate whose documents (CV, cover letter) are read together.
    """
    if len(paths) < 2:
        raise click.UsageError(_("give at least one OFFER and the CANDIDATES folder"))
    for out in outputs:
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            raise click.BadParameter(_("{file}: write .csv, .json or .html").format(file=out), param_hint="-o/--output")
    _check_blind_key(blind, blind_key, outputs)
    for extra, hint in ((matrix_out, "--matrix"), (assignment_out, "--assignment")):
        if extra is not None and extra.suffix.lower() != ".csv":
            raise click.BadParameter(_("{file}: write a .csv file").format(file=extra), param_hint=hint)
    capacities = None
    if assign or capacity_specs or min_score is not None or assignment_out is not None:
        try:
            offer_ids = [p.stem for p in offer_files(list(paths[:-1]))]
        except MatchError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            capacities = parse_capacities(capacity_specs, offer_ids)
        except AssignError as exc:
            raise click.BadParameter(str(exc), param_hint="--capacity") from None
    options = MatchOptions(
        weights=_weights(weight_spec, config),
        taxonomy_dir=taxonomy_dir,
        limits=ReadLimits(max_pages=max_pages, max_mb=max_mb, timeout_s=timeout, password=password, ocr=ocr),
        jobs=jobs,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        cache_max_age_days=_cache_max_age(cache_max_age, config),
    )
    try:
        result = match(list(paths[:-1]), paths[-1], options, progress=for_terminal(quiet))
    except (MatchError, TaxonomyError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        _err(_("matchstage: interrupted, nothing written."))
        sys.exit(130)
    if blind:
        result = _blinded(result, paths[-1], blind_key, quiet)
    if capacities is not None:
        result = with_assignment(result, capacities, min_score=(min_score or 0.0) / 100)
    for skipped in result.skipped:
        _err(_("skipped [{reason}] {message}").format(reason=skipped.reason.value, message=skipped.message))
    for flag in result.flags:
        _err(_("note [{code}] {message}").format(code=flag.code, message=flag.message))
    if fmt == "json":
        click.echo(json_text(result), nl=False)
    elif fmt == "csv":
        click.echo(csv_text(result), nl=False)
    else:
        from matchstage.outputs.table import render_table  # rich, imported only for the table

        render_table(result, top=top, file=sys.stdout)
    for out in outputs:
        write_output(result, out)
        if not quiet:
            _err(_("matchstage: wrote {file}").format(file=out))
    for extra, text in ((matrix_out, matrix_csv_text), (assignment_out, assignment_csv_text)):
        if extra is not None:
            write_atomically(extra, text(result), bom=True)
            if not quiet:
                _err(_("matchstage: wrote {file}").format(file=extra))
    if not (fmt == "table" and sys.stdout.isatty() and sys.stderr.isatty()):
        _err(summary(result))  # the table ends with it: on one terminal, once is enough
    empty = [o.offer.id for o in result.offers if not o.ranking]
    if empty:
        _err(_("matchstage: no candidate could be ranked for {offers}").format(offers=", ".join(empty)))
        sys.exit(1)


def _check_blind_key(blind: bool, key: Path | None, outputs: tuple[Path, ...]) -> None:
    if key is None:
        return
    if not blind:
        raise click.UsageError(_("--blind-key writes the key of a blind review: add --blind"))
    if key.suffix.lower() != ".csv":
        raise click.BadParameter(_("{path}: the key is written as .csv").format(path=key), param_hint="--blind-key")
    if any(key.resolve() == out.resolve() for out in outputs):
        raise click.BadParameter(_("{path}: the key must not be one of the outputs").format(path=key),
                                 param_hint="--blind-key")


def _blinded(result: MatchResult, candidates_dir: Path, key: Path | None, quiet: bool) -> MatchResult:
    from matchstage.outputs.blinding import BlindingError, blind_run, write_key

    try:
        blinded = blind_run(result, candidates_dir)
        if key is not None:
            write_key(blinded.key, key)
    except BlindingError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(_("{file}: {error}").format(file=exc.filename or key,
                                                               error=exc.strerror or exc)) from None
    if key is None:
        _err(_("matchstage: blind review, no key written (add --blind-key FILE to keep which files each "
               "pseudonym stands for; pseudonyms stay the same on the next run)"))
    elif not quiet:
        _err(_("matchstage: wrote the blind-review key to {path} (it links pseudonyms to people: keep it "
               "private)").format(path=key))
    return blinded.result


@cli.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="OFFER... CANDIDATES")
@click.option("--qrels", "qrels", required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Graded relevance TSV: candidate, offer, grade (0-3).")
@click.option("--weights", "weight_spec", metavar="NAME=W,...", help="Override weights (see match).")
@click.option("--taxonomy", "taxonomy_dir", metavar="DIR",
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Use the taxonomy in DIR instead of the shipped one.")
@click.option("--jobs", default=default_jobs, type=click.IntRange(min=1), help=JOBS_HELP)
@lang_option
def evaluate_command(paths: tuple[Path, ...], qrels: Path, weight_spec: str | None, taxonomy_dir: Path | None,
                     jobs: int) -> None:
    """Measure nDCG@5, nDCG@10 and MAP (grade >= 2 relevant) of matchstage and two baselines.

    \b
    matchstage evaluate OFFER... CANDIDATES --qrels relevance.tsv
    The baselines run in the same process on the same text: TF-IDF on raw
    words, and BM25 on lemmas.
    """
    from matchstage.evaluation.evaluate import evaluate, format_evaluation

    if len(paths) < 2:
        raise click.UsageError(_("give at least one OFFER and the CANDIDATES folder"))
    options = MatchOptions(weights=_weights(weight_spec, None), taxonomy_dir=taxonomy_dir, jobs=jobs)
    try:
        evaluation = evaluate(list(paths[:-1]), paths[-1], qrels, options)
    except (MatchError, TaxonomyError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_evaluation(evaluation), nl=False)


@cli.command("inspect")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--offer", "as_offer", is_flag=True, help="Inspect FILE as an offer (default: as a CV).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="What goes to standard output.")
@click.option("--taxonomy", "taxonomy_dir", metavar="DIR",
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Use the taxonomy in DIR instead of the shipped one.")
@reading_options
@lang_option
def inspect_command(file: Path, as_offer: bool, fmt: str, taxonomy_dir: Path | None, timeout: float,
                    max_pages: int, max_mb: float, password: str | None, ocr: bool) -> None:
    """Show what matchstage sees in FILE: how it is read, its sections, concepts and personal details.

    \b
    matchstage inspect CV_Lea_Nguyen.pdf
    matchstage inspect --offer offre.txt --format json
    Exit status 0 when FILE was read (even if match would skip it), 1 when it cannot be read.
    """
    from matchstage.outputs.inspection import InspectOptions, format_inspection, inspect_document, json_text

    options = InspectOptions(offer=as_offer, taxonomy_dir=taxonomy_dir,
                             limits=ReadLimits(max_pages=max_pages, max_mb=max_mb, timeout_s=timeout,
                                               password=password, ocr=ocr))
    try:
        inspection = inspect_document(file, options)
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json_text(inspection), nl=False)
    elif inspection.readable:
        click.echo(format_inspection(inspection), nl=False)
    if not inspection.readable:
        raise click.ClickException(inspection.message)


@cli.group("cache")
@lang_option
def cache_group() -> None:
    """Look at or empty the cache of analysed documents (it holds data derived from CVs)."""


@cache_group.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR", help="Cache directory.")
@lang_option
def cache_info(cache_dir: Path | None) -> None:
    """Show where the cache is, its size, how many entries it holds and when unused ones are purged."""
    with Cache(cache_dir) as cache:
        info = cache.info()
    click.echo(_("path: {path}\nsize: {size:.0f} KiB\ndocuments: {documents}\n"
                 "other entries: {artefacts} (taxonomies read, taxonomy patterns, text similarities of past runs)\n"
                 "purge age: entries unused for {days:g} days are purged (set with match --cache-max-age DAYS)").format(
        path=info["path"], size=info["bytes"] / 1024, documents=info["documents"], artefacts=info["artefacts"],
        days=info["max_age_days"]))


@cache_group.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR", help="Cache directory.")
@lang_option
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached document."""
    with Cache(cache_dir) as cache:
        count = cache.clear()
    click.echo(ngettext("cleared {n} cached document(s)", "cleared {n} cached document(s)", count).format(n=count))


def main() -> None:
    """The ``matchstage`` command. Once it is done (outputs written and closed, the cache closed, workers
    stopped), the process leaves without tearing the interpreter down: freeing a run's objects and
    modules one by one takes a tenth of a second or more and changes nothing. Exit handlers still run, and
    under a profiler or tracer the usual exit is kept."""
    try:
        cli(prog_name="matchstage")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more can reach it
            code = code or 1
    os._exit(code or 0)
