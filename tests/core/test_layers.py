"""Layers through the Console: real store, real packages, real workers, with and without the sandbox."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.functions import FunctionError
from console.core.layers import LayerError, LayerNotFound
from console.core.packages import PackageInUse
from console.engine.sandbox import SANDBOX_VARIABLE, unsandboxed_reason
from tests.engine.conftest import no_sandbox  # noqa: F401 - the fixture, shared with the engine's tests
from tests.zips import zip_bytes

SITE_PACKAGES = "python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
FIRST = zip_bytes({"python/shared.py": "WHO = 'first'\n", "python/first_only.py": "VALUE = 1\n"})
SECOND = zip_bytes({"python/shared.py": "WHO = 'second'\n", f"{SITE_PACKAGES}/second_only.py": "VALUE = 2\n"})
HANDLER = zip_bytes({"app.py": (
    "import sys, first_only, second_only, shared\n"
    "def handler(event, context):\n"
    "    return {'who': shared.WHO, 'first': first_only.VALUE, 'second': second_only.VALUE,\n"
    "            'shared_file': shared.__file__, 'path': sys.path[:6]}\n"
)})


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def run(console: Console, name: str, version: str = "$LATEST") -> dict:
    record = console.invoke(name, version=version)
    assert record.succeeded, record.payload
    return json.loads(record.payload)


def _two_layers(console: Console) -> dict:
    first = console.publish_layer_version("first", FIRST, compatible_runtimes=["python3.12"])
    second = console.publish_layer_version("second", SECOND)
    console.create_function("fn", HANDLER, "app.handler", layers=[first.arn(), second.arn()])
    return run(console, "fn")


@pytest.mark.skipif(unsandboxed_reason() is not None, reason="the sandbox cannot run here")
def test_two_layers_merge_at_opt_in_the_sandbox(console: Console) -> None:
    result = _two_layers(console)
    assert (result["who"], result["first"], result["second"]) == ("second", 1, 2)
    assert result["shared_file"] == "/opt/python/shared.py"
    version = "python{}.{}".format(*sys.version_info[:2])
    assert result["path"][:3] == ["/var/task", f"/opt/python/lib/{version}/site-packages", "/opt/python"]


def test_two_layers_without_the_sandbox_in_the_same_order(no_sandbox, console: Console) -> None:  # noqa: F811
    result = _two_layers(console)
    assert (result["who"], result["first"], result["second"]) == ("second", 1, 2)
    # One folder holds the layers merged, as /opt would: its python/shared.py is the second layer's file.
    merged = Path(result["shared_file"]).parents[1]
    assert merged.parent == console.config.packages_dir / "merged-layers"
    second = console.packages.get(console.get_function("fn").layers[1].package_sha256)
    assert os.path.samefile(result["shared_file"], second.code_dir / "python" / "shared.py")
    assert result["path"][0] == str(console.packages.get(console.get_function("fn").package_sha256).code_dir)


def test_a_package_used_by_a_layer_cannot_be_deleted_under_it(console: Console) -> None:
    layer = console.publish_layer_version("lib", FIRST)
    with pytest.raises(PackageInUse) as in_use:
        console.delete_package(layer.package_sha256)
    assert "layer:lib:1" in str(in_use.value)
    assert "Delete those layer versions" in str(in_use.value)
    console.create_function("fn", HANDLER, "app.handler", layers=[layer.arn()])
    console.delete_layer_version("lib", 1)
    with pytest.raises(LayerNotFound):
        console.get_layer_version("lib", 1)
    # The function keeps the deleted version, and with it the package.
    assert [entry.name for entry in console.get_function("fn").layers] == ["lib"]
    assert console.get_package(layer.package_sha256).used_by == ("fn",)
    with pytest.raises(PackageInUse):
        console.delete_package(layer.package_sha256)
    # Re-saving the same list keeps the deleted version; naming it anew elsewhere is refused.
    console.update_function_configuration("fn", layers=[layer.arn()], timeout=5)
    with pytest.raises(FunctionError, match="does not exist"):
        console.create_function("other", HANDLER, "app.handler", layers=[layer.arn()])
    console.update_function_configuration("fn", layers=[])
    console.delete_package(layer.package_sha256)


def test_numbers_are_never_given_again_even_after_a_restart(tmp_path: Path) -> None:
    config = load_config(tmp_path / "data", {"load_samples": False})
    with Console(config) as console:
        assert console.publish_layer_version("lib", FIRST).version == 1
        assert console.publish_layer_version("lib", SECOND).version == 2
        console.delete_layer_version("lib", 2)
        console.delete_layer_version("lib", 1)
    with Console(config) as console:
        assert console.list_layers() == []
        assert console.publish_layer_version("lib", FIRST).version == 3


def test_a_refused_layer_version_stores_nothing(console: Console) -> None:
    with pytest.raises(LayerError, match="not valid"):
        console.publish_layer_version("no spaces", FIRST)
    with pytest.raises(LayerError, match="not a Lambda runtime"):
        console.publish_layer_version("lib", FIRST, compatible_runtimes=["python9"])
    with pytest.raises(LayerError, match="x86_64"):
        console.publish_layer_version("lib", FIRST, compatible_architectures=["sparc"])
    assert console.list_packages() == []
    assert console.list_layer_versions("lib") == []


def test_a_layer_change_alone_retires_warm_environments(console: Console) -> None:
    first = console.publish_layer_version("first", FIRST)
    second = console.publish_layer_version("second", SECOND)
    console.create_function("fn", HANDLER, "app.handler", layers=[first.arn(), second.arn()])
    assert run(console, "fn")["who"] == "second"
    console.update_function_configuration("fn", layers=[second.arn(), first.arn()])
    record = console.invoke("fn")
    assert record.cold and json.loads(record.payload)["who"] == "first"



def test_deleting_a_function_frees_the_packages_of_its_layers(console: Console) -> None:
    layer = console.publish_layer_version("lib", FIRST)
    console.create_function("fn", HANDLER, "app.handler", layers=[layer.arn()], publish=True)
    assert [v.layers[0].name for v in console.list_versions("fn")] == ["lib", "lib"]  # $LATEST and version 1
    console.delete_layer_version("lib", 1)
    assert console.get_package(layer.package_sha256).used_by == ("fn", "fn:1")
    console.delete_function("fn")
    assert console.get_package(layer.package_sha256).used_by == ()
    console.delete_package(layer.package_sha256)


SPLIT_FIRST = zip_bytes({"python/tools/__init__.py": "", "python/tools/one.py": "NAME = 'one'\n"})
SPLIT_SECOND = zip_bytes({"python/tools/two.py": "NAME = 'two'\n"})
SPLIT_HANDLER = zip_bytes({"app.py": (
    "from tools import one, two\n"
    "def handler(event, context):\n"
    "    return [one.NAME, two.NAME]\n"
)})


@pytest.mark.parametrize("sandbox", ["on", "off"])
def test_a_package_split_over_two_layers_imports_whole(console: Console, monkeypatch, sandbox: str) -> None:
    if sandbox == "on" and unsandboxed_reason() is not None:
        pytest.skip("the sandbox cannot run here")
    if sandbox == "off":
        monkeypatch.setenv(SANDBOX_VARIABLE, "off")
    first = console.publish_layer_version("tools-one", SPLIT_FIRST)
    second = console.publish_layer_version("tools-two", SPLIT_SECOND)
    console.create_function("split", SPLIT_HANDLER, "app.handler", layers=[first.arn(), second.arn()])
    assert run(console, "split") == ["one", "two"]


def test_deleting_a_layers_package_removes_the_merged_folders_that_held_it(console: Console) -> None:
    first = console.publish_layer_version("first", FIRST)
    second = console.publish_layer_version("second", SECOND)
    console.create_function("fn", HANDLER, "app.handler", layers=[first.arn(), second.arn()])
    assert run(console, "fn")["who"] == "second"
    merged = console.config.packages_dir / "merged-layers"
    assert len([p for p in merged.iterdir() if p.is_dir()]) == 1
    assert console.layer_users() == {("first", 1): ["fn"], ("second", 1): ["fn"]}
    console.delete_function("fn")
    console.delete_layer_version("second", 1)
    console.delete_package(second.package_sha256)
    assert [p for p in merged.iterdir() if p.is_dir()] == []
