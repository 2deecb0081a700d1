"""`lambda-console events`: a function's saved events listed, exported and imported."""

from __future__ import annotations

from pathlib import Path

import click

from console.cli_input import InputError, console_with, data_dir_option, stdin


@click.group()
def events() -> None:
    """Saved test events: list them, export them, import them."""


@events.command("list")
@data_dir_option
@click.argument("function")
@click.pass_context
def events_list(ctx: click.Context, function: str) -> None:
    """List a function's saved events."""
    console = console_with(ctx, function)
    for event in console.list_events(function):
        click.echo(event.name)


@events.command("export")
@data_dir_option
@click.argument("function")
@click.argument("destination", metavar="FOLDER|FILE|-")
@click.option("--bundle", is_flag=True, help="Write one JSON bundle (to FILE, or - for standard output).")
@click.pass_context
def events_export(ctx: click.Context, function: str, destination: str, bundle: bool) -> None:
    """Export a function's saved events: a folder of <name>.json files (SAM's events/ habit), or one bundle."""
    from console.core.events import EventError

    console = console_with(ctx, function)
    try:
        if bundle:
            text = str(console.export_events(function))
            if destination == "-":
                click.echo(text)
                return
            Path(destination).write_text(text + "\n")
            count = len(console.list_events(function))
            click.echo(f"Exported {count} event(s) of {function} to {destination}.", err=True)
        else:
            written = console.export_events(function, Path(destination))
            click.echo(f"Exported {len(written)} event(s) of {function} to {destination}/.", err=True)
    except (EventError, OSError) as exc:
        raise InputError(f"{destination}: {exc}") from None


@events.command("import")
@data_dir_option
@click.argument("function")
@click.argument("source", metavar="FOLDER|FILE|-")
@click.option("--replace", is_flag=True, help="Overwrite saved events that have the same names.")
@click.pass_context
def events_import(ctx: click.Context, function: str, source: str, replace: bool) -> None:
    """Import saved events from a folder of <name>.json files, or from a bundle (FILE, or - for standard input)."""
    from console.core.events import EventError

    console = console_with(ctx, function)
    try:
        if source == "-":
            imported = console.import_events(function, stdin().read(), replace=replace)
        elif Path(source).is_dir():
            imported = console.import_events(function, Path(source), replace=replace)
        elif Path(source).is_file():
            imported = console.import_events(function, Path(source).read_bytes(), replace=replace)
        else:
            raise InputError(f"{source}: no such folder or file. Pass a folder of <name>.json files or a bundle.")
    except EventError as exc:
        # An import's problems can take several lines (one per bad file): keep them, after the source.
        raise InputError(f"{source}: {exc}") from None
    click.echo(f"Imported {len(imported)} event(s) into {function}: {', '.join(e.name for e in imported)}.", err=True)
