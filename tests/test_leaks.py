"""Nothing leaks (round three): boto3's default session, text that hides deep input, template
functions with degenerate arguments, a read that wrote, private keys readable for a moment."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_iotcerts import IotCerts, mock_iot

ROLE = "arn:aws:iam::123456789012:role/provisioning"
DEEP_JSON = "[" * 1500 + "]" * 1500
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
DEEP_SQL = "SELECT " + "(" * 1500 + "1" + ")" * 1500 + " FROM 'a/b'"
DEEP_QUERY = "(" * 1500 + "thingName:a" + ")" * 1500


# -- boto3's default session -----------------------------------------------------------------


def test_boto3s_default_session_made_under_the_mock_does_not_outlive_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    with mock_iot(region="us-west-2"):
        boto3.client("iot").list_things()  # boto3 makes (and caches) its default session here
        assert boto3.DEFAULT_SESSION is not None
        assert boto3.DEFAULT_SESSION.region_name == "us-west-2"
    assert boto3.DEFAULT_SESSION is None
    after = boto3.client("sqs")
    assert after.meta.region_name == "eu-west-3"
    assert after._request_signer._credentials.access_key == "AKIAREALUSERKEY00000"


def test_a_default_session_made_before_the_mock_is_put_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()
    before = boto3.DEFAULT_SESSION
    with mock_iot(region="us-west-2"):
        assert boto3.client("iot").meta.region_name == "us-west-2"
    assert boto3.DEFAULT_SESSION is before


# -- text that hides deep input in string members --------------------------------------------

DEEP_CASES = {
    "CreatePolicy": lambda c, text: c.create_policy(policyName="p", policyDocument=text),
    "CreatePolicyVersion": lambda c, text: c.create_policy_version(
        policyName="base", policyDocument=text
    ),
    "CreateJob": lambda c, text: c.create_job(
        jobId="j", targets=[c.describe_thing(thingName="t")["thingArn"]], document=text
    ),
    "CreateJobTemplate": lambda c, text: c.create_job_template(
        jobTemplateId="jt", description="d", document=text
    ),
    "CreateProvisioningTemplate": lambda c, text: c.create_provisioning_template(
        templateName="pt", templateBody=text, provisioningRoleArn=ROLE
    ),
    "CreateProvisioningTemplateVersion": lambda c, text: c.create_provisioning_template_version(
        templateName="base", templateBody=text
    ),
    "RegisterThing": lambda c, text: c.register_thing(templateBody=text),
    "CreateTopicRule": lambda c, text: c.create_topic_rule(
        ruleName="r", topicRulePayload={"sql": text, "actions": []}
    ),
    "ReplaceTopicRule": lambda c, text: c.replace_topic_rule(
        ruleName="base", topicRulePayload={"sql": text, "actions": []}
    ),
    "SearchIndex": lambda c, text: c.search_index(queryString=text),
    "CreateDynamicThingGroup": lambda c, text: c.create_dynamic_thing_group(
        thingGroupName="dg", queryString=text
    ),
    "UpdateDynamicThingGroup": lambda c, text: c.update_dynamic_thing_group(
        thingGroupName="base", thingGroupProperties={}, queryString=text
    ),
    "GetStatistics": lambda c, text: c.get_statistics(queryString=text),
    "GetCardinality": lambda c, text: c.get_cardinality(queryString=text),
}


@pytest.fixture
def parsing_resources(client: Any) -> Any:
    """What the parsing operations name besides their text: a policy, a thing, a template, a
    rule and a dynamic group called ``base`` (or ``t``), with indexing on."""
    client.update_indexing_configuration(
        thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"}
    )
    client.create_thing(thingName="t")
    client.create_policy(
        policyName="base",
        policyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    body = {"Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "x"}}}}
    client.create_provisioning_template(
        templateName="base", templateBody=json.dumps(body), provisioningRoleArn=ROLE
    )
    client.create_topic_rule(
        ruleName="base", topicRulePayload={"sql": "SELECT * FROM 'a/b'", "actions": []}
    )
    client.create_dynamic_thing_group(thingGroupName="base", queryString="thingName:t")
    return client


@pytest.mark.parametrize(
    "text", [DEEP_JSON, DEEP_OBJECT, DEEP_SQL, DEEP_QUERY], ids=["array", "object", "sql", "query"]
)
@pytest.mark.parametrize("operation", DEEP_CASES)
def test_deep_text_in_a_string_member_is_a_modeled_400_that_changes_nothing(
    iot_certs: IotCerts, parsing_resources: Any, operation: str, text: str
) -> None:
    before = _snapshot(iot_certs)
    with pytest.raises(ClientError) as raised:
        DEEP_CASES[operation](parsing_resources, text)
    error = raised.value.response
    assert 400 <= error["ResponseMetadata"]["HTTPStatusCode"] < 500, error
    assert error["Error"]["Code"] != "InternalFailureException"
    assert _snapshot(iot_certs) == before
    assert iot_certs.internal_errors == []


def test_the_refusal_says_how_deep_and_what_is_accepted(parsing_resources: Any) -> None:
    with pytest.raises(ClientError) as raised:
        parsing_resources.create_policy(policyName="p", policyDocument=DEEP_JSON)
    assert raised.value.response["Error"]["Code"] == "MalformedPolicyException"
    assert raised.value.response["Error"]["Message"] == (
        "The policyDocument nests 1500 levels deep; at most 64 are accepted."
    )
    with pytest.raises(ClientError) as raised:
        parsing_resources.create_topic_rule(
            ruleName="r", topicRulePayload={"sql": DEEP_SQL, "actions": []}
        )
    assert raised.value.response["Error"]["Code"] == "SqlParseException"
    assert "nests 1500 levels deep; at most 20 are accepted" in str(raised.value)


def test_ordinary_nesting_is_still_accepted(client: Any) -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*"}]}
    deep_value: Any = "leaf"
    for _ in range(40):
        deep_value = {"level": deep_value}
    client.create_thing(thingName="t")
    client.create_policy(policyName="p", policyDocument=json.dumps(document))
    client.create_job(
        jobId="j",
        targets=[client.describe_thing(thingName="t")["thingArn"]],
        document=json.dumps({"config": deep_value}),
    )
    sql = "SELECT " + "(" * 10 + "temperature" + ")" * 10 + " AS t FROM 'sensors/+'"
    client.create_topic_rule(ruleName="r", topicRulePayload={"sql": sql, "actions": []})


def _snapshot(iot_certs: IotCerts) -> tuple[Any, ...]:
    return (
        sorted(p.name for p in iot_certs.policies),
        sorted((p.name, p.default_version_id, len(p.versions)) for p in iot_certs.policies),
        sorted(j.name for j in iot_certs.jobs),
        sorted(t.name for t in iot_certs.things),
        sorted(g.name for g in iot_certs.thing_groups),
        len(iot_certs.certificates),
        [(r.name, r.payload["sql"]) for r in iot_certs.service().topic_rules.select()],
    )


# -- template functions with degenerate arguments ----------------------------------------------

DEGENERATE = [
    {"Fn::Split": ["", "abc"]},
    {"Fn::Split": ["", ""]},
    {"Fn::Split": [",", ""]},
    {"Fn::Select": [5, ["a"]]},
    {"Fn::Select": [-1, ["a"]]},
    {"Fn::Select": ["x", ["a"]]},
    {"Fn::Select": [0, []]},
    {"Fn::Select": [0, "abc"]},
    {"Fn::Select": [True, ["a", "b"]]},
    {"Fn::Join": ["", []]},
    {"Fn::Join": [",", "abc"]},
    {"Fn::Join": [None, ["a"]]},
    {"Fn::Join": [",", [None, {"a": 1}]]},
    {"Fn::Sub": ""},
    {"Fn::Sub": "${}"},
    {"Fn::Sub": "${Missing}"},
    {"Fn::Sub": ["${x}", {}]},
    {"Fn::Sub": ["${x}", {"x": {"a": 1}}]},
    {"Fn::Base64": ""},
    {"Fn::Base64": 12},
    {"Fn::Base64": None},
    {"Fn::FindInMap": ["M", "k", ""]},
    {"Fn::FindInMap": ["", "", ""]},
    {"Fn::If": ["NoSuchCondition", "a", "b"]},
    {"Fn::Equals": [None, None]},
    {"Fn::Not": []},
    {"Fn::And": []},
    {"Fn::Or": [[]]},
    {"Ref": ""},
    {"Ref": None},
    {"Fn::Join": ["", [{"Fn::Split": ["", "abc"]}]]},
]


@pytest.mark.parametrize("function", DEGENERATE, ids=[json.dumps(f) for f in DEGENERATE])
def test_template_functions_with_degenerate_arguments_answer_4xx(
    iot_certs: IotCerts, client: Any, function: Any
) -> None:
    body = {
        "Mappings": {"M": {"k": {"v": "x"}}},
        "Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": function}}},
    }
    try:
        client.register_thing(templateBody=json.dumps(body))
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] < 500, error.response
        assert iot_certs.things == []
    try:
        client.create_provisioning_template(
            templateName="pt", templateBody=json.dumps(body), provisioningRoleArn=ROLE
        )
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] < 500, error.response
    assert iot_certs.internal_errors == []


def test_fn_split_on_an_empty_delimiter_is_refused_with_a_reason(client: Any) -> None:
    body = {
        "Resources": {
            "thing": {
                "Type": "AWS::IoT::Thing",
                "Properties": {"ThingName": {"Fn::Select": [0, {"Fn::Split": ["", "abc"]}]}},
            }
        }
    }
    with pytest.raises(ClientError) as raised:
        client.register_thing(templateBody=json.dumps(body))
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "Fn::Split" in raised.value.response["Error"]["Message"]
    assert "delimiter" in raised.value.response["Error"]["Message"]


# -- a read that wrote ----------------------------------------------------------------------


def test_listing_tags_with_a_bad_token_changes_nothing(iot_certs: IotCerts, client: Any) -> None:
    arn = client.create_thing_group(thingGroupName="g")["thingGroupArn"]
    state = iot_certs.service().scope.state
    with pytest.raises(ClientError) as raised:
        client.list_tags_for_resource(resourceArn=arn, nextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert arn not in state.tags


# -- private keys: the user's only, from the first byte ----------------------------------------


def test_device_private_keys_are_created_0600(
    iot_certs: IotCerts, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate_id = client.create_keys_and_certificate()["certificateId"]
    certificate = iot_certs.get(certificate_id)
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path: Any, flags: int, mode: int = 0o777, *args: Any, **kwargs: Any) -> int:
        opened.append((os.fspath(path), flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    os.umask(old := os.umask(0))  # read the umask
    try:
        os.umask(0)  # the most open umask: a key written with it is world-readable
        files = iot_certs.write_device_files(certificate, tmp_path)
    finally:
        os.umask(old)
    assert files.private_key is not None
    created = [(flags, mode) for path, flags, mode in opened if path == str(files.private_key)]
    assert created and all(flags & os.O_CREAT and mode == 0o600 for flags, mode in created)
    assert stat.S_IMODE(files.private_key.stat().st_mode) == 0o600


def test_an_existing_key_file_is_narrowed_before_the_key_is_written(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    certificate = iot_certs.get(client.create_keys_and_certificate()["certificateId"])
    files = iot_certs.write_device_files(certificate, tmp_path)
    assert files.private_key is not None
    files.private_key.chmod(0o644)
    iot_certs.write_device_files(certificate, tmp_path)
    assert stat.S_IMODE(files.private_key.stat().st_mode) == 0o600
