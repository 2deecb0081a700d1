"""`lambda-console remotes`: the named Lambda endpoints saved events and functions can be taken to."""

from __future__ import annotations

import json

import click

from console.cli_input import InputError, data_dir_option, open_console


@click.group()
def remotes() -> None:
    """Named remotes: AWS Lambda (a profile and region) or any Lambda-compatible endpoint (a URL).

    Only where to go is stored, never a secret: credentials come from botocore's chain (the profile, or the
    environment's AWS_ACCESS_KEY_ID... for an endpoint URL)."""


@remotes.command("add")
@data_dir_option
@click.argument("name")
@click.option("--profile", metavar="P", help="The AWS profile (~/.aws/config) whose credentials to use.")
@click.option("--region", metavar="R", help="The region its functions are in (required with --profile).")
@click.option("--endpoint-url", metavar="URL", help="A Lambda-compatible endpoint: another lambda-console, LocalStack.")
@click.pass_context
def remotes_add(ctx: click.Context, name: str, profile: str | None, region: str | None,
                endpoint_url: str | None) -> None:
    """Add the remote NAME."""
    from console.core.remotes import RemoteError

    try:
        remote = open_console(ctx).add_remote(name, profile=profile, region=region, endpoint_url=endpoint_url)
    except RemoteError as exc:
        raise InputError(str(exc)) from None
    click.echo(f"Added remote {remote.name}: {remote.target}, region {remote.region}.", err=True)


@remotes.command("list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def remotes_list(ctx: click.Context, as_json: bool) -> None:
    """List the remotes: name, region, and the profile or endpoint URL."""
    found = open_console(ctx).list_remotes()
    if as_json:
        click.echo(json.dumps([{"name": r.name, "profile": r.profile, "region": r.region,
                                "endpoint_url": r.endpoint_url, "created_at": r.created_at} for r in found], indent=2))
        return
    if not found:
        click.echo("No remotes yet. Add one with 'remotes add NAME --profile P --region R' (AWS Lambda) or "
                   "'remotes add NAME --endpoint-url URL' (any Lambda-compatible endpoint).", err=True)
        return
    table = [("NAME", "REGION", "TARGET")] + [(r.name, r.region, r.target) for r in found]
    widths = [max(len(line[i]) for line in table) for i in range(2)]
    for line in table:
        click.echo(f"{line[0].ljust(widths[0])}  {line[1].ljust(widths[1])}  {line[2]}")


@remotes.command("remove")
@data_dir_option
@click.argument("name")
@click.pass_context
def remotes_remove(ctx: click.Context, name: str) -> None:
    """Remove the remote NAME (nothing on the remote itself changes)."""
    from console.core.remotes import RemoteError

    try:
        open_console(ctx).remove_remote(name)
    except RemoteError as exc:
        raise InputError(str(exc)) from None
    click.echo(f"Removed remote {name}.", err=True)


@click.command()
@data_dir_option
@click.argument("function")
@click.option("--remote", "remote", required=True, metavar="NAME", help="The remote to deploy to (see 'remotes').")
@click.option("--role", metavar="ARN", help="The execution role's ARN: required for a function new to the remote.")
@click.option("--publish", is_flag=True, help="Also publish a version of what was deployed.")
@click.pass_context
def deploy(ctx: click.Context, function: str, remote: str, role: str | None, publish: bool) -> None:
    """Deploy FUNCTION's code and configuration to a remote: CreateFunction for a new one, UpdateFunctionCode and
    UpdateFunctionConfiguration for one it has, waiting for each step as boto3's waiters do."""
    from console.cli_input import function_error
    from console.core.deploy import RoleError
    from console.core.functions import FunctionError, FunctionNotFound
    from console.core.remotes import RemoteError, RemoteNotFound

    console = open_console(ctx)
    if not console.function_exists(function):
        raise function_error(function)
    try:
        deployed = console.deploy_function(function, remote, role=role, publish=publish,
                                           progress=lambda line: click.echo(line, err=True))
    except FunctionNotFound:
        raise function_error(function) from None
    except RemoteNotFound as exc:
        raise InputError(f"--remote {exc}") from None
    except RoleError as exc:
        raise InputError(str(exc)) from None
    except (RemoteError, FunctionError) as exc:
        raise click.ClickException(str(exc)) from None
    done = "Created" if deployed.created else "Updated"
    published = f", version {deployed.version} published" if deployed.version else ""
    click.echo(f"{done} {deployed.function_arn} (CodeSha256 {deployed.code_sha256}){published}.")
