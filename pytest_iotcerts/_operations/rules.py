"""Wire adapters for topic rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .._core.resources import TopicRule, TopicRuleDestination
from .._service import IotService
from ._common import operation, page_by_position, page_by_token


def _rule_shape(rule: TopicRule) -> dict[str, Any]:
    payload = rule.payload
    return {
        "ruleName": rule.name,
        "sql": payload["sql"],
        "description": payload.get("description"),
        "createdAt": rule.created_at,
        "actions": payload.get("actions", []),
        "ruleDisabled": rule.disabled,
        "awsIotSqlVersion": payload.get("awsIotSqlVersion", "2015-10-08"),
        "errorAction": payload.get("errorAction"),
    }


@operation("CreateTopicRule")
def create_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    rule = service.topic_rules.create(params["ruleName"], params["topicRulePayload"])
    if params.get("tags"):  # a URL-encoded query string in the x-amz-tagging header
        service.tags.tag(rule.arn, dict(parse_qsl(params["tags"], keep_blank_values=True)))
    return {}


@operation("GetTopicRule")
def get_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    rule = service.topic_rules.get(params["ruleName"])
    return {"ruleArn": rule.arn, "rule": _rule_shape(rule)}


@operation("ReplaceTopicRule")
def replace_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.topic_rules.replace(params["ruleName"], params["topicRulePayload"])
    return {}


@operation("DeleteTopicRule")
def delete_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.topic_rules.delete(params["ruleName"])
    return {}


@operation("EnableTopicRule")
def enable_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.topic_rules.set_disabled(params["ruleName"], False)
    return {}


@operation("DisableTopicRule")
def disable_topic_rule(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.topic_rules.set_disabled(params["ruleName"], True)
    return {}


@operation("ListTopicRules")
def list_topic_rules(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    topic, disabled = params.get("topic"), params.get("ruleDisabled")
    rules = (
        service.topic_rules.in_order()
        if topic is None and disabled is None
        else service.topic_rules.listed(topic=topic, disabled=disabled)
    )
    chosen, token = page_by_token(rules, params)
    items = [
        {
            "ruleArn": rule.arn,
            "ruleName": rule.name,
            "topicPattern": rule.topic_pattern,
            "createdAt": rule.created_at,
            "ruleDisabled": rule.disabled,
        }
        for rule in chosen
    ]
    return {"rules": items, "nextToken": token}


def _destination_shape(destination: TopicRuleDestination, *, summary: bool) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "arn": destination.arn,
        "status": destination.status,
        "createdAt": destination.created_at,
        "lastUpdatedAt": destination.updated_at,
        "statusReason": destination.status_reason or None,
    }
    url = destination.confirmation_url
    vpc = destination.configuration.get("vpcConfiguration") or {}
    if url is not None:
        shape["httpUrlSummary" if summary else "httpUrlProperties"] = {"confirmationUrl": url}
    else:
        shape["vpcDestinationSummary" if summary else "vpcProperties"] = {
            "subnetIds": vpc["subnetIds"],
            "securityGroups": vpc.get("securityGroups", []),
            "vpcId": vpc["vpcId"],
            "roleArn": vpc["roleArn"],
        }
    return shape


@operation("CreateTopicRuleDestination")
def create_topic_rule_destination(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    destination = service.rule_destinations.create(params["destinationConfiguration"])
    return {"topicRuleDestination": _destination_shape(destination, summary=False)}


@operation("GetTopicRuleDestination")
def get_topic_rule_destination(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    destination = service.rule_destinations.get(params["arn"])
    return {"topicRuleDestination": _destination_shape(destination, summary=False)}


@operation("ListTopicRuleDestinations")
def list_topic_rule_destinations(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_position(service.rule_destinations.select(), params)
    summaries = [_destination_shape(d, summary=True) for d in chosen]
    return {"destinationSummaries": summaries, "nextToken": token}


@operation("UpdateTopicRuleDestination")
def update_topic_rule_destination(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.rule_destinations.update(params["arn"], params["status"])
    return {}


@operation("DeleteTopicRuleDestination")
def delete_topic_rule_destination(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.rule_destinations.delete(params["arn"])
    return {}


@operation("ConfirmTopicRuleDestination")
def confirm_topic_rule_destination(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    service.rule_destinations.confirm(params["confirmationToken"])
    return {}
