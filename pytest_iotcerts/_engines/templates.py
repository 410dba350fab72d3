"""Provisioning templates as AWS IoT's developer guide defines them: check a body, then evaluate it
with parameters into the resources to provision.

Pure: no state and no service errors (``TemplateError`` carries a message the service layer turns
into ``InvalidRequestException``). The sections are ``Parameters`` (``Type`` String, Number or
CommaDelimitedList, optional ``Default``), ``Mappings``, ``Conditions``, ``Resources`` (one
``AWS::IoT::Thing``, one ``AWS::IoT::Certificate``, any number of ``AWS::IoT::Policy``; a
resource may name a ``Condition``) and ``DeviceConfiguration``; intrinsic functions anywhere but
``Mappings``. The checks are here; the evaluation is in ``template_eval``, and what both share in
``template_model``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._aws.nesting import MAX_JSON_DEPTH, json_depth, too_deep
from .template_eval import Evaluator
from .template_model import (
    CERTIFICATE,
    CERTIFICATE_SOURCES,
    NO_VALUE,
    OVERRIDE_ALIASES,
    OVERRIDES,
    PARAMETER_TYPES,
    POLICY,
    PSEUDO_PARAMETERS,
    THING,
    Evaluation,
    TemplateError,
    function_of,
)


@dataclass(frozen=True)
class Template:
    """A checked template body."""

    body: dict[str, Any]

    @classmethod
    def parse(cls, text: str) -> Template:
        deep = too_deep(json_depth(text), MAX_JSON_DEPTH, "The template body")
        if deep:
            raise TemplateError(deep)
        try:
            body = json.loads(text)
        except ValueError as error:
            raise TemplateError(f"The template body is not valid JSON: {error}.") from None
        if not isinstance(body, dict):
            raise TemplateError("The template body must be a JSON object.")
        _check(body)
        return cls(body)

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("Parameters") or {})

    def evaluate(
        self, given: Mapping[str, str], pseudo: Mapping[str, str] | None = None
    ) -> Evaluation:
        """The resources and device configuration for these parameter values (TemplateError
        names a missing or wrong parameter, or a function that cannot be evaluated)."""
        return Evaluator(self.body, given, pseudo or {}).run()


def _check(body: dict[str, Any]) -> None:
    for section in ("Parameters", "Mappings", "Conditions", "Resources", "DeviceConfiguration"):
        if section in body and not isinstance(body[section], dict):
            raise TemplateError(f"The {section} section must be a JSON object.")
    _check_parameters(body.get("Parameters") or {})
    _check_mappings(body.get("Mappings") or {})
    resources = body.get("Resources")
    if not resources:
        raise TemplateError("The template declares no Resources.")
    for logical_name, resource in resources.items():
        _check_resource(logical_name, resource, body)
    for kind in (THING, CERTIFICATE):
        declared = [n for n, r in resources.items() if r.get("Type") == kind]
        if len(declared) > 1:
            raise TemplateError(
                f"A template declares at most one {kind}, not {len(declared)} "
                f"({', '.join(declared)})."
            )
    checker = _ExpressionChecker(body)
    for name, condition in (body.get("Conditions") or {}).items():
        checker.check(condition, f"Conditions.{name}")
    checker.check(body.get("DeviceConfiguration") or {}, "DeviceConfiguration")
    for name, value in (body.get("DeviceConfiguration") or {}).items():
        if isinstance(value, (dict, list)) and not function_of(value):
            raise TemplateError(
                f"DeviceConfiguration.{name}: the device configuration takes no nested objects."
            )


def _check_parameters(parameters: dict[str, Any]) -> None:
    for name, declaration in parameters.items():
        if not isinstance(declaration, dict) or declaration.get("Type") not in PARAMETER_TYPES:
            raise TemplateError(
                f"Parameter {name} must declare a Type: {', '.join(PARAMETER_TYPES)}."
            )
        default = declaration.get("Default")
        if default is not None and not isinstance(default, (str, int, float)):
            raise TemplateError(f"Parameter {name}: a Default must be a string or a number.")


def _check_mappings(mappings: dict[str, Any]) -> None:
    for name, mapping in mappings.items():
        if not isinstance(mapping, dict) or not all(isinstance(v, dict) for v in mapping.values()):
            raise TemplateError(f"Mapping {name} must map keys to objects of named values.")
        if _contains_function(mapping):
            raise TemplateError(f"Mapping {name}: Mappings cannot use parameters or functions.")


def _check_resource(logical_name: str, resource: Any, body: dict[str, Any]) -> None:
    where = f"Resource {logical_name}"
    if not isinstance(resource, dict):
        raise TemplateError(f"{where} must be a JSON object.")
    kind = resource.get("Type")
    if kind not in OVERRIDES:
        raise TemplateError(
            f"{where} has Type {kind!r}; a template declares {THING}, {CERTIFICATE} or {POLICY}."
        )
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise TemplateError(f"{where} needs Properties (a JSON object).")
    condition = resource.get("Condition")
    if condition is not None and condition not in (body.get("Conditions") or {}):
        raise TemplateError(f"{where} names the condition {condition!r}, which is not declared.")
    _check_properties(where, kind, properties)
    _check_overrides(where, kind, resource.get("OverrideSettings") or {})
    _ExpressionChecker(body).check(properties, where)


def _check_properties(where: str, kind: str, properties: dict[str, Any]) -> None:
    if kind == THING and "ThingName" not in properties:
        raise TemplateError(f"{where}: an {THING} needs a ThingName.")
    if kind == CERTIFICATE:
        given = [name for name in CERTIFICATE_SOURCES if name in properties]
        if len(given) != 1:
            raise TemplateError(
                f"{where}: an {CERTIFICATE} takes exactly one of "
                f"{', '.join(CERTIFICATE_SOURCES)}, not {len(given)}."
            )
    if kind == POLICY and ("PolicyName" in properties) == ("PolicyDocument" in properties):
        raise TemplateError(f"{where}: an {POLICY} takes PolicyName or PolicyDocument, not both.")


def _check_overrides(where: str, kind: str, overrides: Any) -> None:
    if not isinstance(overrides, dict):
        raise TemplateError(f"{where}: OverrideSettings must be a JSON object.")
    allowed = OVERRIDES[kind]
    for name, action in overrides.items():
        key = OVERRIDE_ALIASES.get(name, name)
        if key not in allowed:
            raise TemplateError(
                f"{where}: OverrideSettings cannot name {name} for an {kind}"
                + (f" (only {', '.join(allowed)})." if allowed else ".")
            )
        if action not in allowed[key]:
            raise TemplateError(
                f"{where}: OverrideSettings.{name} is {action!r}; it takes "
                f"{', '.join(allowed[key])}."
            )


def _contains_function(node: Any) -> bool:
    if function_of(node):
        return True
    if isinstance(node, dict):
        return any(_contains_function(value) for value in node.values())
    if isinstance(node, list):
        return any(_contains_function(value) for value in node)
    return False


# (minimum, maximum) list lengths of each function's argument; None: not a list.
_ARITY: dict[str, tuple[int, int] | None] = {
    "Fn::Join": (2, 2),
    "Fn::Select": (2, 2),
    "Fn::Split": (2, 2),
    "Fn::FindInMap": (3, 3),
    "Fn::If": (3, 3),
    "Fn::Equals": (2, 2),
    "Fn::And": (2, 10),
    "Fn::Or": (2, 10),
    "Fn::Not": (1, 1),
    "Fn::Sub": None,
    "Fn::Base64": None,
}


class _ExpressionChecker:
    """Known functions with the right arguments; Refs, conditions and maps that exist."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.parameters = body.get("Parameters") or {}
        self.conditions = body.get("Conditions") or {}
        self.mappings = body.get("Mappings") or {}

    def check(self, node: Any, where: str) -> None:
        function = function_of(node)
        if function is None:
            children = node.values() if isinstance(node, dict) else node
            if isinstance(node, (dict, list)):
                for child in children:
                    self.check(child, where)
            return
        argument = node[function]
        self._check_call(function, argument, where)
        if isinstance(argument, list):
            for child in argument:
                self.check(child, where)

    def _check_call(self, function: str, argument: Any, where: str) -> None:
        if function == "Ref":
            known = (*self.parameters, *PSEUDO_PARAMETERS, NO_VALUE)
            if argument not in known:
                raise TemplateError(f"{where}: Ref {argument!r} names no declared parameter.")
            return
        if function == "Condition":
            if argument not in self.conditions:
                raise TemplateError(f"{where}: the condition {argument!r} is not declared.")
            return
        if function not in _ARITY:
            raise TemplateError(
                f"{where}: {function} is not an intrinsic function of provisioning templates "
                f"(Ref, {', '.join(_ARITY)})."
            )
        arity = _ARITY[function]
        if arity is not None and not (
            isinstance(argument, list) and arity[0] <= len(argument) <= arity[1]
        ):
            wanted = f"{arity[0]}" if arity[0] == arity[1] else f"{arity[0]} to {arity[1]}"
            raise TemplateError(f"{where}: {function} takes a list of {wanted} arguments.")
        if function == "Fn::If" and argument[0] not in self.conditions:
            raise TemplateError(
                f"{where}: Fn::If names the condition {argument[0]!r}, not declared."
            )
        if (
            function == "Fn::FindInMap"
            and isinstance(argument[0], str)
            and argument[0] not in self.mappings
        ):
            raise TemplateError(
                f"{where}: Fn::FindInMap names the mapping {argument[0]!r}, not declared."
            )
