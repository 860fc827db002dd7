"""Command line: ``matchstage match`` and ``matchstage evaluate``. Each command parses its arguments,
calls one library function and prints the result; the ranking logic lives in the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import tomllib

from matchstage import __version__
from matchstage.cache import Cache, default_cache_dir
from matchstage.documents import ReadLimits
from matchstage.extraction import default_jobs
from matchstage.match import MatchError, MatchOptions, match
from matchstage.progress import for_terminal
from matchstage.report import csv_text, json_text, summary, write_output
from matchstage.scoring import ScoringRules, Weights, WeightsError
from matchstage.taxonomy import TaxonomyError

JOBS_HELP = (f"Worker processes for reading files, and as many for analysing them [default: {default_jobs()}, "
             "the CPUs matchstage may use]")


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
        raise click.BadParameter(f"[cache] max_age_days = {value!r}: give a number of days, at least 1",
                                 param_hint="--config")
    return float(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matchstage")
def cli() -> None:
    """Rank candidates' CVs against offers on skills, disciplines and methods, and explain each score.

    matchstage ranks and explains; the decision stays with you.
    """


@cli.command("match")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1),
              help="Candidates shown per offer in the table (CSV and JSON hold all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="What goes to standard output.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the result to FILE (.csv or .json, by extension); repeatable.")
@click.option("--weights", "weight_spec", metavar="NAME=W,...",
              help="Override weights, e.g. disciplines=0.4,methods=0.3,skills=0.2,text=0.1.")
@click.option("--config", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="TOML file with a [weights] table (and optionally [cache] max_age_days).")
@click.option("--taxonomy", "taxonomy_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Use the taxonomy in DIR instead of the shipped one.")
@click.option("--jobs", default=default_jobs, type=click.IntRange(min=1), help=JOBS_HELP)
@click.option("--timeout", default=ReadLimits.timeout_s, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed to extract the text of one file.")
@click.option("--max-pages", default=ReadLimits.max_pages, show_default=True, type=click.IntRange(min=1),
              help="Skip documents with more pages (too-large).")
@click.option("--max-mb", default=ReadLimits.max_mb, show_default=True, type=click.FloatRange(min=0.01),
              help="Skip files bigger than this many megabytes (too-large).")
@click.option("--password", default=None, help="Password for encrypted offer or CV PDFs.")
@click.option("--ocr", is_flag=True, help="Read scanned PDFs with tesseract (French) when it is installed.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where analysed documents are cached (default: the user's cache directory).")
@click.option("--no-cache", is_flag=True, help="Analyse every document again and keep nothing.")
@click.option("--cache-max-age", "cache_max_age", type=click.FloatRange(min=1), metavar="DAYS",
              help="Purge cached documents unused for DAYS days; kept as the cache's setting [default: 60].")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on standard error.")
def match_command(
    paths: tuple[Path, ...], top: int, fmt: str, outputs: tuple[Path, ...], weight_spec: str | None,
    config: Path | None, taxonomy_dir: Path | None, jobs: int, timeout: float, max_pages: int, max_mb: float,
    password: str | None, ocr: bool, cache_dir: Path | None, no_cache: bool, cache_max_age: float | None,
    quiet: bool,
) -> None:
    """Rank the candidates in CANDIDATES against each OFFER.

    \b
    matchstage match OFFER... CANDIDATES
    OFFER is an offer file (.txt .md .html .pdf .docx .odt) or a folder of them;
    CANDIDATES is a folder: each file in it is a candidate, each subfolder is one
    candidate whose documents (CV, cover letter) are read together.
    """
    if len(paths) < 2:
        raise click.UsageError("give at least one OFFER and the CANDIDATES folder")
    for out in outputs:
        if out.suffix.lower() not in {".csv", ".json"}:
            raise click.BadParameter(f"{out}: write .csv or .json", param_hint="-o/--output")
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
        _err("matchstage: interrupted, nothing written.")
        sys.exit(130)
    for skipped in result.skipped:
        _err(f"skipped [{skipped.reason.value}] {skipped.message}")
    for flag in result.flags:
        _err(f"note [{flag.code}] {flag.message}")
    if fmt == "json":
        click.echo(json_text(result), nl=False)
    elif fmt == "csv":
        click.echo(csv_text(result), nl=False)
    else:
        from matchstage.table import render_table  # rich, imported only for the table

        render_table(result, top=top, file=sys.stdout)
    for out in outputs:
        write_output(result, out)
        if not quiet:
            _err(f"matchstage: wrote {out}")
    _err(summary(result))
    empty = [o.offer.id for o in result.offers if not o.ranking]
    if empty:
        _err(f"matchstage: no candidate could be ranked for {', '.join(empty)}")
        sys.exit(1)


@cli.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--qrels", "qrels", required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Graded relevance TSV: candidate, offer, grade (0-3).")
@click.option("--weights", "weight_spec", metavar="NAME=W,...", help="Override weights (see match).")
@click.option("--taxonomy", "taxonomy_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Use the taxonomy in DIR instead of the shipped one.")
@click.option("--jobs", default=default_jobs, type=click.IntRange(min=1), help=JOBS_HELP)
def evaluate_command(paths: tuple[Path, ...], qrels: Path, weight_spec: str | None, taxonomy_dir: Path | None,
                     jobs: int) -> None:
    """Measure nDCG@5, nDCG@10 and MAP (grade >= 2 relevant) of matchstage and two baselines.

    \b
    matchstage evaluate OFFER... CANDIDATES --qrels relevance.tsv
    The baselines run in the same process on the same text: TF-IDF on raw
    words, and BM25 on lemmas.
    """
    from matchstage.evaluate import evaluate, format_evaluation

    if len(paths) < 2:
        raise click.UsageError("give at least one OFFER and the CANDIDATES folder")
    options = MatchOptions(weights=_weights(weight_spec, None), taxonomy_dir=taxonomy_dir, jobs=jobs)
    try:
        evaluation = evaluate(list(paths[:-1]), paths[-1], qrels, options)
    except (MatchError, TaxonomyError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_evaluation(evaluation), nl=False)


@cli.group("cache")
def cache_group() -> None:
    """Look at or empty the cache of analysed documents (it holds data derived from CVs)."""


@cache_group.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), help="Cache directory.")
def cache_info(cache_dir: Path | None) -> None:
    """Show where the cache is, its size, how many entries it holds and when unused ones are purged."""
    with Cache(cache_dir) as cache:
        info = cache.info()
    click.echo(f"path: {info['path']}\nsize: {info['bytes'] / 1024:.0f} KiB\ndocuments: {info['documents']}\n"
               f"other entries: {info['artefacts']} (taxonomy patterns, text similarities of past runs)\n"
               f"purge age: entries unused for {info['max_age_days']:g} days are purged "
               "(set with match --cache-max-age DAYS)")


@cache_group.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), help="Cache directory.")
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached document."""
    with Cache(cache_dir) as cache:
        count = cache.clear()
    click.echo(f"cleared {count} cached document(s)")


def main() -> None:
    cli(prog_name="matchstage")
