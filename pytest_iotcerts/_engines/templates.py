"""Provisioning templates as AWS IoT's developer guide defines them: check a body, then evaluate it
with parameters into the resources to provision.

Pure: no state and no service errors (``TemplateError`` carries a message the service layer turns
into ``InvalidRequestException``). The sections are ``Parameters`` (``Type`` String, Number or
CommaDelimitedList, optional ``Default``), ``Mappings``, ``Conditions``, ``Resources`` (one
``AWS::IoT::Thing``, one ``AWS::IoT::Certificate``, any number of ``AWS::IoT::Policy``; a
resource may name a ``Condition``) and ``DeviceConfiguration``; intrinsic functions anywhere but
``Mappings``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._aws.nesting import MAX_JSON_DEPTH, json_depth, too_deep

THING = "AWS::IoT::Thing"
CERTIFICATE = "AWS::IoT::Certificate"
POLICY = "AWS::IoT::Policy"
PARAMETER_TYPES = ("String", "Number", "CommaDelimitedList")
CERTIFICATE_SOURCES = ("CertificateSigningRequest", "CertificateId", "CertificatePem")
# Values AWS fills in itself: the certificate being provisioned (fleet provisioning, JITP).
PSEUDO_PARAMETERS = (
    "AWS::IoT::Certificate::Id",
    "AWS::IoT::Certificate::CommonName",
    "AWS::IoT::Certificate::Country",
    "AWS::IoT::Certificate::Organization",
    "AWS::IoT::Certificate::OrganizationalUnit",
    "AWS::IoT::Certificate::DistinguishedNameQualifier",
    "AWS::IoT::Certificate::StateName",
    "AWS::IoT::Certificate::SerialNumber",
    "AWS::Region",
    "AWS::AccountId",
)
NO_VALUE = "AWS::NoValue"
OVERRIDES: dict[str, dict[str, tuple[str, ...]]] = {
    THING: {
        "AttributePayload": ("DO_NOTHING", "REPLACE", "FAIL", "MERGE"),
        "ThingTypeName": ("DO_NOTHING", "REPLACE", "FAIL"),
        "ThingGroups": ("DO_NOTHING", "REPLACE", "FAIL", "MERGE"),
    },
    CERTIFICATE: {"Status": ("DO_NOTHING", "REPLACE", "FAIL")},
    POLICY: {},
}
_OVERRIDE_ALIASES = {
    "ATTRIBUTE_PAYLOAD": "AttributePayload",
    "THING_TYPE_NAME": "ThingTypeName",
    "THING_GROUPS": "ThingGroups",
    "STATUS": "Status",
}
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


class TemplateError(ValueError):
    """A template that cannot be used, or cannot be evaluated with the parameters given."""


class _Omitted:
    """``{"Ref": "AWS::NoValue"}``: the property it stands for is left out."""


OMITTED = _Omitted()


@dataclass(frozen=True)
class Resource:
    """One evaluated resource: its logical name, type, properties and override settings."""

    logical_name: str
    type: str
    properties: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)

    def override(self, name: str, default: str = "DO_NOTHING") -> str:
        return self.overrides.get(name, default)


@dataclass(frozen=True)
class Evaluation:
    resources: list[Resource]
    device_configuration: dict[str, Any]

    def of_type(self, kind: str) -> list[Resource]:
        return [resource for resource in self.resources if resource.type == kind]


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
        return _Evaluator(self.body, given, pseudo or {}).run()


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
        if isinstance(value, (dict, list)) and not _function_of(value):
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
        key = _OVERRIDE_ALIASES.get(name, name)
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


def _function_of(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        (key,) = node
        if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
            return str(key)
    return None


def _contains_function(node: Any) -> bool:
    if _function_of(node):
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
        function = _function_of(node)
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


class _Evaluator:
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
                _OVERRIDE_ALIASES.get(name, name): action
                for name, action in (resource.get("OverrideSettings") or {}).items()
            }
            properties = self.value(resource["Properties"])
            resources.append(Resource(logical_name, resource["Type"], properties, overrides))
        configuration = self.value(self.body.get("DeviceConfiguration") or {})
        return Evaluation(resources, configuration)

    def value(self, node: Any) -> Any:
        function = _function_of(node)
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

        return _SUB_VARIABLE.sub(replace, text)

    def _find_in_map(self, argument: list[Any]) -> Any:
        names = [self._text(item) for item in argument]
        try:
            return self.body["Mappings"][names[0]][names[1]][names[2]]
        except (KeyError, TypeError):
            raise TemplateError(f"Fn::FindInMap: no value at {' / '.join(names)}.") from None
