"""Settings: defaults, then the data folder's config.json, then LAMBDA_CONSOLE_* variables, then options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.config import ConfigError, default_data_dir, load_config


def test_defaults(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config.data_dir == tmp_path.resolve()
    assert config.max_environments == 10
    assert config.history_keep == 200
    assert config.max_zip_bytes == 50 * 1024 * 1024
    assert config.database_path == tmp_path.resolve() / "lambda-console.sqlite3"


def test_data_folder_defaults_to_the_checkouts_instance_folder():
    config = load_config(environ={})
    assert config.data_dir == default_data_dir().resolve()
    assert config.data_dir == Path(__file__).resolve().parents[1] / "instance"


def test_data_folder_from_the_environment(tmp_path):
    assert load_config(environ={"LAMBDA_CONSOLE_DATA": str(tmp_path)}).data_dir == tmp_path.resolve()


def test_each_layer_overrides_the_one_before(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"history_keep": 50, "max_environments": 4, "idle_timeout": 30}))
    environ = {"LAMBDA_CONSOLE_MAX_ENVIRONMENTS": "6", "LAMBDA_CONSOLE_IDLE_TIMEOUT": "90"}
    config = load_config(tmp_path, {"idle_timeout": 5}, environ=environ)
    assert config.history_keep == 50  # the file
    assert config.max_environments == 6  # the environment over the file
    assert config.idle_timeout == 5.0  # the caller over both


def test_bad_values_name_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="LAMBDA_CONSOLE_MAX_ENVIRONMENTS: 'many' is not a valid max_environments"):
        load_config(tmp_path, environ={"LAMBDA_CONSOLE_MAX_ENVIRONMENTS": "many"})
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ConfigError, match="config.json: not readable JSON"):
        load_config(tmp_path, environ={})
    (tmp_path / "config.json").write_text('{"colour": "blue"}')
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_config(tmp_path, environ={})


def test_boolean_settings(tmp_path):
    assert load_config(tmp_path, environ={"LAMBDA_CONSOLE_LOAD_SAMPLES": "false"}).load_samples is False
    assert load_config(tmp_path, environ={"LAMBDA_CONSOLE_LOAD_SAMPLES": "1"}).load_samples is True


def test_config_file_functions_must_be_a_list_of_objects(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"functions": "hello"}')
    with pytest.raises(ConfigError, match=r"'hello' is not a valid functions \(a list of objects is expected\)"):
        load_config(tmp_path)
    (tmp_path / "config.json").write_text('{"functions": [{"name": "f", "code": "/x", "handler": "a.b"}]}')
    assert load_config(tmp_path).functions == ({"name": "f", "code": "/x", "handler": "a.b"},)
