"""`lambda-console layers`: the stored layer versions, listed."""

from __future__ import annotations

import json

import click

from console.cli_input import data_dir_option, open_console


@click.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def layers(ctx: click.Context, as_json: bool) -> None:
    """List the layer versions: name, version, compatible runtimes, size and description."""
    versions = open_console(ctx).all_layer_versions()
    if as_json:
        click.echo(json.dumps([
            {"name": v.name, "version": v.version, "arn": v.arn(), "description": v.description,
             "compatible_runtimes": list(v.compatible_runtimes), "code_size": v.code_size,
             "code_sha256": v.code_sha256, "created_at": v.created_at}
            for v in versions
        ], indent=2))
        return
    if not versions:
        click.echo("No layers yet. Publish one on the console's Layers page, or with the Lambda API's "
                   "PublishLayerVersion (aws lambda publish-layer-version --layer-name NAME --zip-file fileb://layer.zip).")
        return
    table = [("NAME", "VERSION", "RUNTIMES", "SIZE", "DESCRIPTION")]
    table += [(v.name, str(v.version), ",".join(v.compatible_runtimes) or "-", f"{v.code_size} bytes", v.description)
              for v in versions]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1])
