"""Random templates: every function is read or listed with a reason, and a template that cannot be read at all is a
TemplateError with a message. Never another exception."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.sam import TemplateError, read_template

FUZZ = settings(max_examples=int(__import__("os").environ.get("SAM_FUZZ", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
INTRINSICS = ["Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
              "Fn::FindInMap", "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Equals", "Fn::Not", "Fn::And",
              "Fn::Or", "Fn::Length", "Fn::ToJsonString", "Fn::Cidr"]
NAMES = st.sampled_from(["Stage", "Missing", "F", "Layer", "AWS::Region", "AWS::NoValue", "IsProd", "Map", "src/",
                         "python3.12", "app.handler", "${Stage}", "${F.Arn}", "${!x}", "s3://b/k", "", "0", "1"])
SCALARS = st.one_of(NAMES, st.integers(-5, 2000), st.booleans(), st.none(), st.text(max_size=8))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(INTRINSICS), inner, min_size=1, max_size=1),
        st.dictionaries(NAMES, inner, max_size=3),
    ),
    max_leaves=12,
)
EVENTS = st.dictionaries(NAMES, st.one_of(VALUES, st.fixed_dictionaries(
    {"Type": st.sampled_from(["Api", "HttpApi", "S3"])},
    optional={"Properties": st.one_of(VALUES, st.dictionaries(st.sampled_from(["Path", "Method",
                                                                               "PayloadFormatVersion"]), VALUES))},
)), max_size=3)
KEYS = st.sampled_from(["CodeUri", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Description",
                        "Architectures", "EphemeralStorage", "LoggingConfig", "Layers", "Events", "InlineCode",
                        "PackageType", "Code"])
PROPERTIES = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=6),
    st.fixed_dictionaries({}, optional={"Events": EVENTS, "Environment": st.fixed_dictionaries(
        {"Variables": st.one_of(VALUES, st.dictionaries(st.sampled_from(["AB", "AWS_REGION", "x", ""]), VALUES))}),
        "Architectures": VALUES, "Layers": st.lists(st.one_of(VALUES, st.just({"Ref": "Layer"})), max_size=3)}),
)
BASE = {"CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12"}


@FUZZ
@given(properties=PROPERTIES, globals_=PROPERTIES, kind=st.sampled_from(["AWS::Serverless::Function",
                                                                          "AWS::Lambda::Function"]),
       parameters=st.dictionaries(NAMES, VALUES, max_size=2), conditions=st.dictionaries(NAMES, VALUES, max_size=2))
def test_any_template_is_read_or_refused_with_a_message(tmp_path_factory, properties, globals_, kind, parameters,
                                                         conditions):
    folder: Path = tmp_path_factory.mktemp("t")
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    template = {
        "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Missing": {"Type": "String"}, **parameters},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}, **conditions},
        "Mappings": {"Map": {"dev": {"x": "1"}}},
        "Globals": {"Function": globals_},
        "Resources": {
            "Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "src/"}},
            "F": {"Type": kind, "Properties": {**BASE, **properties}},
        },
    }
    path = folder / "template.json"
    path.write_text(json.dumps(template))
    try:
        parsed = read_template(path, inline_dir=folder / "inline")
    except TemplateError as exc:
        assert str(exc)
        return
    assert parsed.names == ("F",)
    for skipped in parsed.not_runnable:
        assert skipped.reason and not skipped.reason.endswith(".")
    for function in parsed.functions:
        assert function.code_path.exists()
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in function.environment.items())
        assert 1 <= function.timeout <= 900 and 128 <= function.memory <= 10240
        assert all(isinstance(item, str) for item in function.architectures)
