"""Topic rules through boto3, their SQL checked by a real parser."""

from __future__ import annotations

from typing import Any

import pytest

SQL = "SELECT temp, topic(2) AS device FROM 'sensors/+/telemetry' WHERE temp > 50"
ACTION = {"republish": {"roleArn": "arn:aws:iam::123456789012:role/r", "topic": "alerts"}}


def payload(sql: str = SQL, **extra: Any) -> dict[str, Any]:
    return {"sql": sql, "actions": [ACTION], **extra}


def test_create_get_and_list(client: Any) -> None:
    client.create_topic_rule(
        ruleName="hot", topicRulePayload=payload(description="too hot"), tags="team=ops&tier=1"
    )
    client.create_topic_rule(
        ruleName="all", topicRulePayload=payload("SELECT * FROM 'sensors/#'", ruleDisabled=True)
    )

    got = client.get_topic_rule(ruleName="hot")
    listed = client.list_topic_rules()["rules"]

    assert got["ruleArn"] == "arn:aws:iot:us-east-1:123456789012:rule/hot"
    assert (got["rule"]["sql"], got["rule"]["actions"], got["rule"]["ruleDisabled"]) == (
        SQL,
        [ACTION],
        False,
    )
    assert got["rule"]["awsIotSqlVersion"] == "2015-10-08"
    assert [(r["ruleName"], r["topicPattern"], r["ruleDisabled"]) for r in listed] == [
        ("hot", "sensors/+/telemetry", False),
        ("all", "sensors/#", True),
    ]
    assert client.list_tags_for_resource(resourceArn=got["ruleArn"])["tags"] == [
        {"Key": "team", "Value": "ops"},
        {"Key": "tier", "Value": "1"},
    ]


def test_list_filters_by_topic_and_state(client: Any) -> None:
    client.create_topic_rule(ruleName="hot", topicRulePayload=payload())
    client.create_topic_rule(ruleName="all", topicRulePayload=payload("SELECT * FROM 'sensors/#'"))
    client.disable_topic_rule(ruleName="all")

    by_topic = client.list_topic_rules(topic="sensors/#")["rules"]
    enabled = client.list_topic_rules(ruleDisabled=False)["rules"]
    client.enable_topic_rule(ruleName="all")

    assert [r["ruleName"] for r in by_topic] == ["all"]
    assert [r["ruleName"] for r in enabled] == ["hot"]
    assert client.get_topic_rule(ruleName="all")["rule"]["ruleDisabled"] is False


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("SELEC * FROM 'a'", "Could not parse"),
        ("SELECT * FROM", "Could not parse"),
        ("SELECT * FROM a", "single quotes"),
        ('SELECT * FROM "a/b"', "single quotes"),
        ("SELECT * FROM 'a/#/b'", "'#' may only stand alone"),
        ("SELECT * FROM 'a/b+'", r"'\+' must stand alone"),
        ("SELECT * FROM 'a'; SELECT * FROM 'b'", "one SELECT statement"),
        ("DELETE FROM 'a'", "one SELECT statement"),
    ],
)
def test_malformed_sql_is_a_sql_parse_exception(client: Any, sql: str, says: str) -> None:
    with pytest.raises(client.exceptions.SqlParseException, match=says):
        client.create_topic_rule(ruleName="r", topicRulePayload=payload(sql))

    assert client.list_topic_rules()["rules"] == []


def test_aws_iot_sql_expressions_parse(client: Any) -> None:
    sql = (
        "SELECT state.reported.temp AS t, get(readings, 0).value, timestamp() AS at "
        "FROM '$aws/things/+/shadow/update/accepted' "
        "WHERE NOT isUndefined(state.reported.temp) AND state.reported.temp <> 0"
    )

    client.create_topic_rule(
        ruleName="shadow", topicRulePayload=payload(sql, awsIotSqlVersion="2016-03-23")
    )

    rule = client.list_topic_rules()["rules"][0]
    assert rule["topicPattern"] == "$aws/things/+/shadow/update/accepted"


def test_replace_delete_and_the_errors_aws_gives(client: Any) -> None:
    client.create_topic_rule(ruleName="r", topicRulePayload=payload())

    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_topic_rule(ruleName="r", topicRulePayload=payload())
    with pytest.raises(client.exceptions.SqlParseException):
        client.replace_topic_rule(ruleName="r", topicRulePayload=payload("SELECT FROM"))
    with pytest.raises(client.exceptions.InvalidRequestException, match="awsIotSqlVersion"):
        client.replace_topic_rule(ruleName="r", topicRulePayload=payload(awsIotSqlVersion="2020"))
    client.replace_topic_rule(ruleName="r", topicRulePayload=payload("SELECT * FROM 'other'"))
    replaced = client.get_topic_rule(ruleName="r")["rule"]["sql"]
    client.delete_topic_rule(ruleName="r")

    assert replaced == "SELECT * FROM 'other'"
    # A rule that does not exist is one the caller is not authorized to see, as AWS answers.
    with pytest.raises(client.exceptions.UnauthorizedException):
        client.get_topic_rule(ruleName="r")
    with pytest.raises(client.exceptions.UnauthorizedException):
        client.delete_topic_rule(ruleName="r")
