"""The job templates AWS manages (the developer guide's "Managed template remote actions and job
documents"): each template's description, document parameters and job document, version 1.0.
``arn:aws:iot:REGION::jobtemplate/NAME:VERSION`` names one (no account: AWS owns them)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

VERSION = "1.0"
ARN = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[^:]+)::jobtemplate/(?P<name>[^:/]+):(?P<version>.+)$"
)

_RUN_AS_USER = {
    "key": "runAsUser",
    "description": "Execute handler as another user. If not specified, then handler is executed "
    "as the same user as device client.",
    "regex": "(.){0,256}",
    "example": "user1",
    "optional": True,
}
_PATH_TO_HANDLER = {
    "key": "pathToHandler",
    "description": "Path to handler on the device. If not specified, then device client will "
    "use the current working directory.",
    "regex": "(.){0,4096}",
    "example": "/path/to/handler/script",
    "optional": True,
}


@dataclass(frozen=True)
class ManagedTemplate:
    name: str
    description: str
    parameters: tuple[dict[str, Any], ...]
    document: str

    def arn(self, region: str) -> str:
        return f"arn:aws:iot:{region}::jobtemplate/{self.name}:{VERSION}"

    def required(self) -> list[str]:
        return [p["key"] for p in self.parameters if not p["optional"]]


def _handler(action: str, script: str, args: list[str]) -> str:
    step_input: dict[str, Any] = {"handler": script}
    if args:
        step_input["args"] = [f"${{aws:iot:parameter:{arg}}}" for arg in args]
    step_input["path"] = "${aws:iot:parameter:pathToHandler}"
    action_document = {
        "name": action,
        "type": "runHandler",
        "input": step_input,
        "runAsUser": "${aws:iot:parameter:runAsUser}",
    }
    return json.dumps(
        {"version": "1.0", "steps": [{"action": action_document}]}, separators=(",", ":")
    )


def _list_parameter(key: str, what: str) -> dict[str, Any]:
    return {
        "key": key,
        "description": f"Space separated list of {what}.",
        "regex": "(.)+",
        "example": "app1 app2" if key == "packages" else "service1 service2",
        "optional": False,
    }


def _template(
    name: str, description: str, action: str, script: str, *required: dict[str, Any]
) -> ManagedTemplate:
    keys = [p["key"] for p in required]
    return ManagedTemplate(
        name,
        description,
        (*required, _RUN_AS_USER, _PATH_TO_HANDLER),
        _handler(action, script, keys),
    )


TEMPLATES: dict[str, ManagedTemplate] = {
    t.name: t
    for t in (
        _template(
            "AWS-Download-File",
            "A managed job template for downloading a file.",
            "Download-File",
            "download-file.sh",
            {
                "key": "downloadUrl",
                "description": "URL of file to download.",
                "regex": "(.*?)",
                "example": "http://www.example.com/index.html",
                "optional": False,
            },
            {
                "key": "filePath",
                "description": "Path on the device where downloaded file is written.",
                "regex": "(.*?)",
                "example": "/path/to/file",
                "optional": False,
            },
        ),
        _template(
            "AWS-Install-Application",
            "A managed job template for installing one or more applications.",
            "Install-Application",
            "install-packages.sh",
            _list_parameter("packages", "packages to install"),
        ),
        _template(
            "AWS-Reboot",
            "A managed job template for rebooting the device.",
            "Reboot",
            "reboot.sh",
        ),
        _template(
            "AWS-Remove-Application",
            "A managed job template for uninstalling one or more applications.",
            "Remove-Application",
            "remove-packages.sh",
            _list_parameter("packages", "packages to uninstall"),
        ),
        _template(
            "AWS-Restart-Application",
            "A managed job template for restarting one or more system services.",
            "Restart-Application",
            "restart-services.sh",
            _list_parameter("services", "services to restart"),
        ),
        _template(
            "AWS-Start-Application",
            "A managed job template for starting one or more system services.",
            "Start-Application",
            "start-services.sh",
            _list_parameter("services", "services to start"),
        ),
        _template(
            "AWS-Stop-Application",
            "A managed job template for stopping one or more system services.",
            "Stop-Application",
            "stop-services.sh",
            _list_parameter("services", "services to stop"),
        ),
        ManagedTemplate(
            "AWS-Run-Command",
            "A managed job template for running a shell command.",
            (
                {
                    "key": "command",
                    "description": "Comma separated string of command. Any comma contained in "
                    "the command itself must be escaped.",
                    "regex": "(.)+",
                    "example": "ls,-l",
                    "optional": False,
                },
                _RUN_AS_USER,
            ),
            json.dumps(
                {
                    "version": "1.0",
                    "steps": [
                        {
                            "action": {
                                "name": "Run-Command",
                                "type": "runCommand",
                                "input": {"command": "${aws:iot:parameter:command}"},
                                "runAsUser": "${aws:iot:parameter:runAsUser}",
                            }
                        }
                    ],
                },
                separators=(",", ":"),
            ),
        ),
    )
}
