"""A checked provisioning template evaluated with parameter values: intrinsic functions
(``Ref``, ``Fn::Join``, ``Fn::Sub``, ``Fn::If``, ...), conditions, and each resource's properties
and overrides, into the resources to provision. Pure, like ``templates``."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .template_model import (
    NO_VALUE,
    OMITTED,
    OVERRIDE_ALIASES,
    SUB_VARIABLE,
    Evaluation,
    Resource,
    TemplateError,
    function_of,
)


class Evaluator:
    def __init__(
        self, body: dict[str, Any], given: Mapping[str, str], pseudo: Mapping[str, str]
    ) -> None:
        self.body = body
        self.given = {**pseudo, **given}
        self.declared = body.get("Parameters") or {}
        self._conditions: dict[str, bool] = {}
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Condition": self._condition,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::Sub": self._sub,
            "Fn::FindInMap": self._find_in_map,
            "Fn::If": lambda a: self.value(a[1] if self._condition(a[0]) else a[2]),
            "Fn::Equals": lambda a: self._text(a[0]) == self._text(a[1]),
            "Fn::And": lambda a: all(self._truth(c) for c in a),
            "Fn::Or": lambda a: any(self._truth(c) for c in a),
            "Fn::Not": lambda a: not self._truth(a[0]),
            "Fn::Base64": lambda a: base64.b64encode(self._text(a).encode()).decode(),
        }

    def run(self) -> Evaluation:
        resources = []
        for logical_name, resource in self.body["Resources"].items():
            condition = resource.get("Condition")
            if condition is not None and not self._condition(condition):
                continue
            overrides = {
                OVERRIDE_ALIASES.get(name, name): action
                for name, action in (resource.get("OverrideSettings") or {}).items()
            }
            properties = self.value(resource["Properties"])
            resources.append(Resource(logical_name, resource["Type"], properties, overrides))
        configuration = self.value(self.body.get("DeviceConfiguration") or {})
        return Evaluation(resources, configuration)

    def value(self, node: Any) -> Any:
        function = function_of(node)
        if function is not None:
            return self._functions[function](node[function])
        if isinstance(node, dict):
            values = {key: self.value(child) for key, child in node.items()}
            return {key: child for key, child in values.items() if child is not OMITTED}
        if isinstance(node, list):
            return [child for child in map(self.value, node) if child is not OMITTED]
        return node

    def _text(self, node: Any) -> str:
        value = self.value(node)
        if isinstance(value, (dict, list)):
            raise TemplateError(f"A string was expected, not {json.dumps(value)}.")
        return value if isinstance(value, str) else json.dumps(value)

    def _ref(self, name: str) -> Any:
        if name == NO_VALUE:
            return OMITTED
        if name in self.given:
            value: Any = self.given[name]
        elif "Default" in self.declared.get(name, {}):
            value = self.declared[name]["Default"]
        else:
            raise TemplateError(
                f"The parameter {name} has no value: the parameters do not give it and the "
                "template declares no Default."
            )
        return self._typed(name, value)

    def _typed(self, name: str, value: Any) -> Any:
        kind = self.declared.get(name, {}).get("Type", "String")
        if kind == "CommaDelimitedList":
            return [item.strip() for item in str(value).split(",")]
        if kind == "Number":
            try:
                float(value)
            except (TypeError, ValueError):
                raise TemplateError(
                    f"The parameter {name} must be a number, not {value!r}."
                ) from None
        return str(value) if not isinstance(value, str) else value

    def _condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self._truth(self.body["Conditions"][name])
        return self._conditions[name]

    def _truth(self, node: Any) -> bool:
        value = self.value(node)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise TemplateError(f"A condition must be true or false, not {json.dumps(value)}.")

    def _join(self, argument: list[Any]) -> str:
        items = self.value(argument[1])
        if not isinstance(items, list):
            raise TemplateError("Fn::Join joins a list of values.")
        return self._text(argument[0]).join(self._text(item) for item in items)

    def _split(self, argument: list[Any]) -> list[str]:
        delimiter = self._text(argument[0])
        if not delimiter:
            raise TemplateError(
                "Fn::Split: the delimiter is empty; it must be one or more characters."
            )
        return self._text(argument[1]).split(delimiter)

    def _select(self, argument: list[Any]) -> Any:
        index, items = self._text(argument[0]), self.value(argument[1])
        position = int(index) if index.isdigit() else -1
        if not isinstance(items, list) or not 0 <= position < len(items):
            raise TemplateError(
                f"Fn::Select: index {index} is not in {json.dumps(items)} (an index from 0 to the "
                "list's length less one)."
            )
        return items[position]

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        elif isinstance(argument, list) and len(argument) == 2:
            text, variables = argument
        else:
            text, variables = None, None
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise TemplateError("Fn::Sub takes a string, or a list of a string and an object.")

        def replace(match: re.Match[str]) -> str:
            literal, name = match.groups()
            if literal:
                return "${" + name + "}"
            if name in variables:
                return self._text(variables[name])
            return self._text({"Ref": name})

        return SUB_VARIABLE.sub(replace, text)

    def _find_in_map(self, argument: list[Any]) -> Any:
        names = [self._text(item) for item in argument]
        try:
            return self.body["Mappings"][names[0]][names[1]][names[2]]
        except (KeyError, TypeError):
            raise TemplateError(f"Fn::FindInMap: no value at {' / '.join(names)}.") from None
