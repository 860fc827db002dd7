"""The command line in the interface language: ``--lang``, help texts, usage and error lines.

Click builds a command's help from strings given when the decorators run, at import, before anyone knows
which language to speak. Those strings stay in English, as message ids; the classes here translate them
when help is written: the command's docstring paragraph by paragraph, each option's help and metavar,
and click's own headings (``Usage:``, ``Options``...). The language is chosen before click processes any
option, ``--help`` included: from the environment when the program starts (:meth:`Group.main`), then from
``--lang`` wherever it is given, on the group or on a command.

:func:`messages` lists every string this module will look up for a command tree, so that the catalogue
can be built (``make catalog``) and checked (``tests/test_i18n.py``) from the same list.

Click's own error sentences ("No such option", "Missing argument"...) are made inside click, in English,
and are shown as they are; the frame around them ("Error:", "Try ... for help.") is translated.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import click

from matchstage.i18n import LANGUAGES, N_, _, language_from_environment, set_language

F = TypeVar("F", bound=Callable[..., Any])

# Click's own words, translated here (click looks them up in a catalogue of its own that we do not ship).
CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"), N_("default: {default}"),
    N_("required"), N_("Show this message and exit."), N_("Show the version and exit."), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Invalid value for {param_hint}: {message}"), N_("Aborted!"),
    N_("{heading}:"), N_("; "),
)
LANG_HELP = N_("Language of messages and outputs: fr or en (default: French when the locale (LANG, LC_ALL...) "
               "is French, else English).")


def paragraphs(text: str) -> list[tuple[bool, str]]:
    """A help text as click shows it (up to a form feed), cut into paragraphs: ``(verbatim, message id)``.

    A paragraph that starts with click's ``\\b`` marker is shown line by line and keeps its line breaks;
    any other is rewrapped by click, so its message id is on one line.
    """
    shown = inspect.cleandoc(text).partition("\f")[0]
    out = []
    for paragraph in shown.split("\n\n"):
        if paragraph.startswith("\b\n"):
            out.append((True, paragraph[2:]))
        elif paragraph.strip():
            out.append((False, " ".join(paragraph.split())))
    return out


def translated_help(text: str) -> str:
    return "\n\n".join(f"\b\n{_(message)}" if verbatim else _(message) for verbatim, message in paragraphs(text))


def _short_help(text: str, limit: int) -> str:
    """The first paragraph, or its first sentence, cut at a word to ``limit`` characters (as click does)."""
    first = " ".join(translated_help(text).split("\n\n")[0].replace("\b\n", "").split())
    if len(first) > limit and ". " in first:
        first = first.split(". ")[0] + "."
    if len(first) <= limit:
        return first
    return first[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _metavar(param: click.Parameter, ctx: click.Context) -> str | None:
    """The metavar click shows for ``param`` (English), or None for a flag or a choice (values, not words)."""
    if isinstance(param, click.Option) and (param.is_flag or param.count):
        return None
    if isinstance(param.type, click.Choice) and param.metavar is None:
        return None
    return param.make_metavar(ctx)


def _help_record(param: click.Option, ctx: click.Context) -> tuple[str, str] | None:
    record = param.get_help_record(ctx)
    if record is None:
        return None
    spec = record[0]
    metavar = _metavar(param, ctx)
    if metavar and spec.endswith(" " + metavar):
        spec = spec[: -len(metavar)] + _(metavar)
    extra = param.get_help_extra(ctx)
    items = []
    if "default" in extra:
        items.append(_("default: {default}").format(default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(_("required"))
    text = _(param.help) if param.help else ""
    if items:
        text = f"{text}  [{_('; ').join(items)}]".strip()
    return spec, text


class HelpFormatter(click.HelpFormatter):
    """Click's formatter with its headings in the interface language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{_('Usage:')} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=_(heading))}\n")


class Context(click.Context):
    formatter_class = HelpFormatter


def _language_option(param: click.Parameter) -> bool:
    return param.name == "lang"


def _use_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_language(value)


def lang_option(function: F) -> F:
    """``--lang fr|en``: the language of everything matchstage says, from here on."""
    return click.option("--lang", type=click.Choice(LANGUAGES), expose_value=False, is_eager=True,
                        callback=_use_language, help=LANG_HELP)(function)


class _Translated(click.Command):
    """Help written in the interface language; ``--lang`` read before any other option acts."""

    context_class = Context

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A first pass of click's own parser, which only collects values (callbacks such as --help's run in
        # the second): so that `match --help --lang fr` speaks French as `match --lang fr --help` does.
        if any(_language_option(p) for p in self.params):
            parser = self.make_parser(ctx)
            parser.ignore_unknown_options = True
            try:
                values, _rest, _order = parser.parse_args(args=list(args))
            except click.UsageError:
                values = {}
            if values.get("lang") in LANGUAGES:
                set_language(values["lang"])
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [_(piece) for piece in super().collect_usage_pieces(ctx)]

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translated_help(self.help))

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return _(self.short_help)
        return _short_help(self.help, limit) if self.help else ""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [record for param in self.get_params(ctx) if isinstance(param, click.Option)
                if (record := _help_record(param, ctx)) is not None]
        if rows:
            with formatter.section("Options"):  # HelpFormatter.write_heading translates it
                formatter.write_dl(rows)


class Command(_Translated):
    pass


class Group(_Translated, click.Group):
    command_class = Command
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Speak the environment's language until ``--lang`` says otherwise; say errors in that language."""
        set_language(language_from_environment())
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            show_error(exc)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(_("Aborted!"), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def show_error(exc: click.ClickException) -> None:
    """What click's standalone mode prints for ``exc``, with its frame in the interface language."""
    if type(exc).show not in (click.ClickException.show, click.UsageError.show):
        exc.show()  # an exception that shows itself its own way (no arguments: the help)
        return
    message = exc.format_message()
    if type(exc) is click.BadParameter and exc.param_hint is not None:  # ours: a translated message
        hint = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(map(repr, exc.param_hint))
        message = _("Invalid value for {param_hint}: {message}").format(param_hint=hint, message=exc.message)
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        ctx = exc.ctx
        names = ctx.command.get_help_option_names(ctx)
        hint = ""
        if ctx.command.get_help_option(ctx) is not None and names:
            hint = _("Try '{command} {option}' for help.").format(command=ctx.command_path,
                                                                 option=max(names, key=len)) + "\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    click.echo(_("Error: {message}").format(message=message), err=True)


# -- what the catalogue must hold -------------------------------------------------------------------------
def messages(command: click.Command, ctx: click.Context | None = None) -> Iterator[str]:
    """Every string the help of ``command`` and its subcommands looks up (help paragraphs, option help,
    metavars), in English; click's own words (``CLICK_WORDS``) are found in this module's source."""
    ctx = ctx or Context(command, info_name=command.name)
    if command.help:
        yield from (message for _verbatim, message in paragraphs(command.help))
    if command.short_help:
        yield command.short_help
    if command.options_metavar:
        yield command.options_metavar
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and param.help:
            yield param.help
        metavar = _metavar(param, ctx)
        if metavar:
            yield metavar
    if isinstance(command, click.Group):
        yield command.subcommand_metavar or ""
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from messages(sub, Context(sub, info_name=name, parent=ctx))
