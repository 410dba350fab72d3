"""The rules engine: every message AWS IoT would route to a rule (a device's publish, iot-data's
Publish, basic ingest on ``$aws/rules/RULE_NAME/...``, the messages AWS IoT publishes itself)
runs each enabled rule whose ``FROM`` topic filter matches; the SQL is evaluated
(``_engines.iot_sql_eval``) and, when its ``WHERE`` holds, each action is delivered with the
``SELECT``'s result.

Actions reach real parts: ``republish`` goes back through the account's message broker (so MQTT
subscribers get it, and rules run on it); a ``lambda`` action calls the callable the test
registered for the function (``iot_certs.set_lambda_function``); actions on other AWS services
(SQS, SNS, DynamoDB, S3, Kinesis, Firehose, CloudWatch, Step Functions) call that service as AWS
IoT would when moto's ``mock_aws()`` is active beside the mock, so a test reads the item that
landed; without moto nothing leaves the process and the action is recorded as not delivered. A
failing action runs the rule's ``errorAction`` with AWS's error message. Every run is recorded.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import threading
import time
from decimal import Decimal
from typing import Any

from .._aws.errors import ServiceError
from .._aws.moto import invoke_lambda, moto_active, moto_client
from .._core.events import Message, matches
from .._core.resources import ActionOutcome, RuleRun, TopicRule
from .._engines import iot_sql_eval
from ._scope import Scope

BASIC_INGEST = re.compile(r"^\$aws/rules/(?P<rule>[^/]+)/(?P<topic>.+)$")
MAX_DEPTH = 8  # republish into rules into republish: as far as it goes
_SUBSTITUTION = re.compile(r"\$\{([^}]*)\}")
_depth = threading.local()


@functools.lru_cache(maxsize=256)
def _statement(sql: str) -> Any:
    return iot_sql_eval.parse(sql)


class RulesEngine:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def route(self, message: Message) -> None:
        """Run the rules this message reaches."""
        depth = getattr(_depth, "value", 0)
        if depth >= MAX_DEPTH:
            return
        _depth.value = depth + 1
        try:
            for rule, topic in self._rules_for(message):
                self._run(rule, message, topic)
        finally:
            _depth.value = depth

    def _rules_for(self, message: Message) -> list[tuple[TopicRule, str]]:
        with self._scope.store.lock:
            rules = [r for r in self._scope.state.topic_rules.values() if not r.disabled]
        ingest = BASIC_INGEST.match(message.topic)
        if ingest is not None:  # basic ingest: that rule alone, on the rest of the topic
            return [
                (rule, ingest["topic"])
                for rule in rules
                if rule.name == ingest["rule"] and matches(ingest["topic"], rule.topic_pattern)
            ]
        return [(r, message.topic) for r in rules if matches(message.topic, r.topic_pattern)]

    def _run(self, rule: TopicRule, message: Message, topic: str) -> None:
        context = iot_sql_eval.MessageContext(
            topic, message.payload, client_id=message.sender, principal=message.sender
        )
        version = str(rule.payload.get("awsIotSqlVersion") or "2015-10-08")
        try:
            evaluated = iot_sql_eval.evaluate(_statement(rule.payload["sql"]), context, version)
        except iot_sql_eval.SqlEvaluationError as error:
            failure = {"failedAction": "SqlEvaluation", "failedResource": rule.name}
            self._record(
                RuleRun(rule.name, topic, message.payload, None, error=str(error)),
                rule,
                message,
                [{**failure, "errorMessage": str(error)}],
            )
            return
        if evaluated is None:
            return  # the WHERE clause did not hold: nothing runs, nothing to tell
        selected = evaluated.selected
        data = selected if isinstance(selected, bytes) else json.dumps(selected).encode()
        outcomes = tuple(
            self._act(action, data, context) for action in rule.payload.get("actions") or []
        )
        failures = [
            {
                "failedAction": f"{o.kind}Action",
                "failedResource": o.target,
                "errorMessage": o.detail,
            }
            for o in outcomes
            if not o.ok
        ]
        self._record(
            RuleRun(rule.name, topic, message.payload, selected, outcomes), rule, message, failures
        )

    def _record(
        self, run: RuleRun, rule: TopicRule, message: Message, failures: list[dict[str, str]]
    ) -> None:
        error_action = rule.payload.get("errorAction")
        if failures and error_action:
            report = {
                "ruleName": rule.name,
                "topic": run.topic,
                "clientId": message.sender or "n/a",
                "base64OriginalPayload": base64.b64encode(message.payload).decode(),
                "failures": failures,
            }
            context = iot_sql_eval.MessageContext(run.topic, message.payload, message.sender)
            outcome = self._act(error_action, json.dumps(report).encode(), context)
            run = RuleRun(
                run.rule_name,
                run.topic,
                run.payload,
                run.selected,
                run.outcomes,
                run.error,
                outcome,
            )
        with self._scope.store.lock:
            self._scope.state.rule_runs.append(run)

    # -- actions ------------------------------------------------------------------------------

    def _act(
        self, action: dict[str, Any], data: bytes, context: iot_sql_eval.MessageContext
    ) -> ActionOutcome:
        [(kind, settings)] = list(action.items())[:1] or [("none", {})]
        settings = {k: _substitute(v, context) for k, v in (settings or {}).items()}
        deliver = _ACTIONS.get(kind)
        target = _target(kind, settings)
        if deliver is None:
            return ActionOutcome(
                kind, target, True, False, data, f"{kind} actions are recorded only."
            )
        try:
            delivered, detail = deliver(self, settings, data)
        except Exception as error:  # the service refused it: the errorAction runs
            return ActionOutcome(kind, target, False, False, data, str(error))
        return ActionOutcome(kind, target, True, delivered, data, detail)

    def _republish(self, settings: dict[str, Any], data: bytes) -> tuple[bool, str]:
        from .messages import Messages

        try:
            Messages(self._scope).publish(
                str(settings["topic"]), data, qos=int(settings.get("qos", 0)), via="aws"
            )
        except ServiceError as error:
            raise RuntimeError(error.message) from None
        return True, ""

    def _lambda(self, settings: dict[str, Any], data: bytes) -> tuple[bool, str]:
        arn = str(settings["functionArn"])
        functions = self._scope.state.lambda_functions
        function = functions.get(arn) or functions.get(arn.rsplit(":", 1)[-1])
        if function is not None:
            function(_decoded(data))
            return True, ""
        if moto_active():  # moto's Lambda, invoked asynchronously as AWS IoT invokes it
            invoke_lambda(self._scope.region, arn, data, wait=False)
            return True, ""
        return False, "no function registered (iot_certs.set_lambda_function): recorded"


def _decoded(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data


def _substitute(value: Any, context: iot_sql_eval.MessageContext) -> Any:
    """``${expression}`` in an action's parameters, evaluated on the incoming message."""
    if isinstance(value, dict):
        return {k: _substitute(v, context) for k, v in value.items()}
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(found: re.Match[str]) -> str:
        try:
            statement = _statement(f"SELECT {found[1]} AS v FROM 't'")
            result = iot_sql_eval.evaluate(statement, context, "2016-03-23")
        except Exception:  # an expression the evaluator cannot read: left as written
            return found[0]
        selected = result.selected if result is not None else {}
        value = selected.get("v", "") if isinstance(selected, dict) else ""
        return value if isinstance(value, str) else json.dumps(value)

    return _SUBSTITUTION.sub(replace, value)


def _target(kind: str, settings: dict[str, Any]) -> str:
    for key in (
        "topic",
        "functionArn",
        "queueUrl",
        "targetArn",
        "tableName",
        "bucketName",
        "streamName",
        "deliveryStreamName",
        "logGroupName",
        "metricName",
        "stateMachineName",
        "url",
    ):
        if key in settings:
            return str(settings[key])
    put = settings.get("putItem")
    return str(put.get("tableName")) if isinstance(put, dict) else kind


def _aws(service: str, call: Any) -> Any:
    """A call AWS IoT makes to another service: to moto's, when moto is active."""

    def deliver(engine: RulesEngine, settings: dict[str, Any], data: bytes) -> tuple[bool, str]:
        if not moto_active():
            return False, "moto's mock_aws() is not active: recorded, not delivered"
        call(moto_client(service, engine._scope.region), settings, data, engine._scope)
        return True, ""

    return deliver


def _item(settings: dict[str, Any], data: bytes) -> dict[str, Any]:
    """DynamoDB (v1): the hash (and range) key, and the payload in its own column."""
    item: dict[str, Any] = {
        settings["hashKeyField"]: {
            settings.get("hashKeyType", "S")[0]: str(settings["hashKeyValue"])
        }
    }
    if settings.get("rangeKeyField"):
        item[settings["rangeKeyField"]] = {
            settings.get("rangeKeyType", "S")[0]: str(settings["rangeKeyValue"])
        }
    item[settings.get("payloadField", "payload")] = {"S": data.decode(errors="replace")}
    return item


def _typed(document: Any) -> dict[str, Any]:
    """A JSON object as DynamoDB attribute values (DynamoDBv2: one column per attribute)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    converted = json.loads(json.dumps(document), parse_float=Decimal)
    return {key: serializer.serialize(value) for key, value in converted.items()}


def _http(engine: RulesEngine, settings: dict[str, Any], data: bytes) -> tuple[bool, str]:
    """AWS IoT sends an HTTP action only to a URL an enabled destination covers; nothing leaves
    the process here: the request is recorded as not delivered."""
    from .rule_destinations import RuleDestinations

    url = str(settings["url"])
    if RuleDestinations(engine._scope).enabled_for(url) is None:
        raise RuntimeError(
            f"No enabled topic rule destination covers {url}: confirm its destination first."
        )
    return False, "HTTP requests never leave the process: recorded, not sent"


_ACTIONS: dict[str, Any] = {
    "republish": RulesEngine._republish,
    "http": _http,
    "lambda": RulesEngine._lambda,
    "sqs": _aws(
        "sqs",
        lambda c, s, d, scope: c.send_message(
            QueueUrl=s["queueUrl"],
            MessageBody=base64.b64encode(d).decode() if s.get("useBase64") else d.decode(),
        ),
    ),
    "sns": _aws(
        "sns", lambda c, s, d, scope: c.publish(TargetArn=s["targetArn"], Message=d.decode())
    ),
    "dynamoDB": _aws(
        "dynamodb", lambda c, s, d, scope: c.put_item(TableName=s["tableName"], Item=_item(s, d))
    ),
    "dynamoDBv2": _aws(
        "dynamodb",
        lambda c, s, d, scope: c.put_item(
            TableName=s["putItem"]["tableName"], Item=_typed(json.loads(d))
        ),
    ),
    "s3": _aws(
        "s3", lambda c, s, d, scope: c.put_object(Bucket=s["bucketName"], Key=s["key"], Body=d)
    ),
    "kinesis": _aws(
        "kinesis",
        lambda c, s, d, scope: c.put_record(
            StreamName=s["streamName"], Data=d, PartitionKey=s.get("partitionKey") or "0"
        ),
    ),
    "firehose": _aws(
        "firehose",
        lambda c, s, d, scope: c.put_record(
            DeliveryStreamName=s["deliveryStreamName"], Record={"Data": d}
        ),
    ),
    "cloudwatchLogs": _aws(
        "logs",
        lambda c, s, d, scope: c.put_log_events(
            logGroupName=s["logGroupName"],
            logStreamName=s.get("logStreamName", "iot-rules"),
            logEvents=[
                {"timestamp": int(time.time() * 1000), "message": d.decode(errors="replace")}
            ],
        ),
    ),
    "cloudwatchMetric": _aws(
        "cloudwatch",
        lambda c, s, d, scope: c.put_metric_data(
            Namespace=s["metricNamespace"],
            MetricData=[
                {
                    "MetricName": s["metricName"],
                    "Value": float(s["metricValue"]),
                    "Unit": s.get("metricUnit", "None"),
                }
            ],
        ),
    ),
    "stepFunctions": _aws(
        "stepfunctions",
        lambda c, s, d, scope: c.start_execution(
            stateMachineArn=f"arn:aws:states:{scope.region}:{scope.account_id}:stateMachine:"
            f"{s['stateMachineName']}",
            input=d.decode(),
        ),
    ),
}
