"""What a topic rule adds to a message: iot-data Publish timed with no rule, with one rule that
selects and republishes, with one whose WHERE drops the message, and beside many rules on other
topics; also a rule's SQS action landing in moto's queue.

Run: python benchmarks/rules.py [--calls N] [--rules N]
Each figure is the median milliseconds per Publish (botocore's whole call included).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import boto3

from pytest_iotcerts import mock_iot

try:
    from bench import timed
except ImportError:  # run from elsewhere than benchmarks/
    from benchmarks.bench import timed

ROLE = "arn:aws:iam::123456789012:role/rules"
SQL = "SELECT temp * 1.8 + 32 AS f, topic(2) AS device FROM 'sensors/+/telemetry' WHERE temp > 30"


def rule(iot: Any, name: str, sql: str, action: dict[str, Any]) -> None:
    iot.create_topic_rule(ruleName=name, topicRulePayload={"sql": sql, "actions": [action]})


def publisher(temp: int) -> Callable[[], Any]:
    data = boto3.client("iot-data")
    payload = json.dumps({"temp": temp, "humidity": 40}).encode()
    return lambda: data.publish(topic="sensors/s1/telemetry", payload=payload)


def scenario(name: str, calls: int, setup: Callable[[Any], Any], temp: int = 35) -> None:
    with mock_iot() as iot_certs:
        setup(boto3.client("iot"))
        milliseconds = timed(publisher(temp), calls)
        runs = len(iot_certs.rule_runs())
    print(f"{name:<46} {milliseconds:7.3f} ms   ({runs} rule runs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rules", type=int, default=200)
    args = parser.parse_args()
    republish = {"republish": {"topic": "alerts/${topic(2)}", "roleArn": ROLE}}

    def many(iot: Any) -> None:
        for index in range(args.rules):
            rule(iot, f"other_{index}", f"SELECT * FROM 'other/{index}/#'", republish)
        rule(iot, "hot", SQL, republish)

    def sqs(iot: Any) -> None:
        queue = boto3.client("sqs").create_queue(QueueName="alerts")["QueueUrl"]
        rule(iot, "hot", SQL, {"sqs": {"queueUrl": queue, "roleArn": ROLE}})

    print(f"{'iot-data Publish, per call':<46} {'median':>10}")
    scenario("no rule", args.calls, lambda iot: None)
    scenario(
        "one rule, WHERE drops the message",
        args.calls,
        lambda iot: rule(iot, "hot", SQL, republish),
        20,
    )
    scenario(
        "one rule, selects and republishes",
        args.calls,
        lambda iot: rule(iot, "hot", SQL, republish),
    )
    scenario(f"the same beside {args.rules} rules on other topics", args.calls, many)
    try:
        from moto import mock_aws
    except ImportError:
        return
    with mock_aws():
        scenario("one rule, SQS action into moto's queue", args.calls, sqs)


if __name__ == "__main__":
    main()
