"""Jobs from the back end's side: created for things and thing groups, described, listed,
updated, canceled and deleted; and the job templates they can be made from."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

from .._aws import managed_job_templates
from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._aws.nesting import MAX_JSON_DEPTH, json_depth, too_deep
from .._core.ordered import Filtered, Ordered
from .._core.resources import Job, JobTemplate
from .._engines import package_placeholders
from . import fleet_changes
from ._scope import Scope
from .events import RegistryEvents
from .groups import ThingGroups
from .indexing import Indexing
from .job_executions import JobExecutions
from .maintenance_windows import maintenance_windows
from .packages import Packages

_TARGET = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>thing|thinggroup)/(?P<name>[a-zA-Z0-9:_-]+)$"
)
_PARAMETER = re.compile(r"\$\{aws:iot:parameter:([A-Za-z0-9_-]+)\}")
# What a job copies from a template (and a template from a job) when not given.
TEMPLATE_SETTINGS = (
    "document",
    "documentSource",
    "presignedUrlConfig",
    "jobExecutionsRolloutConfig",
    "abortConfig",
    "timeoutConfig",
    "jobExecutionsRetryConfig",
)


def check_document(document: str | None) -> None:
    if document is None:
        return
    deep = too_deep(json_depth(document), MAX_JSON_DEPTH, "The job document")
    if deep:
        raise invalid_request(deep)
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid_request("A job document must be a JSON object.")


MAX_JOB_TARGETS = 100  # AssociateTargetsWithJob's documented limit
SCHEDULE_LEAD_SECONDS = 30 * 60  # schedulingConfig: 30 minutes ahead at least


def _moment(text: Any, name: str) -> float | None:
    """An ISO 8601 time (``2026-12-01T10:30``, UTC unless it says) as epoch seconds."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_request(f"{name} {text} is not a time as YYYY-MM-DDTHH:MM.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def document_of(job: Job, *, before_substitution: bool = False) -> str | None:
    """A job's document, with ``${aws:iot:parameter:NAME}`` replaced by its documentParameters
    unless ``before_substitution``."""
    document = job.settings.get("document")
    if document is None or before_substitution:
        return document
    parameters = job.settings.get("documentParameters") or {}
    document = _PARAMETER.sub(lambda m: str(parameters.get(m.group(1), m.group(0))), document)
    return package_placeholders.substitute(document, job.package_values)


class Jobs:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._executions = JobExecutions(scope)

    def create(self, job_id: str, settings: dict[str, Any]) -> Job:
        """A job IN_PROGRESS (SCHEDULED with a schedulingConfig) and a QUEUED execution for
        each thing it targets, directly or through a thing group."""
        state = self._scope.state
        with self._scope.store.lock:
            if job_id in state.jobs:
                raise already_exists(
                    f"A job with id {job_id} already exists.",
                    job_id,
                    state.jobs[job_id].arn,
                )
            settings = self._from_template(settings)
            if settings.get("document") is None and settings.get("documentSource") is None:
                raise invalid_request("A job needs a document or a documentSource.")
            check_document(settings.get("document"))
            packages, package_values = Packages(self._scope).for_job(settings)
            things = self.things_targeted(settings["targets"])
            starts_at, ends_at = self._schedule(settings.get("schedulingConfig") or {})
            windows = (settings.get("schedulingConfig") or {}).get("maintenanceWindows")
            if windows is not None:
                maintenance_windows(windows)
            job = state.jobs[job_id] = Job(
                job_id,
                **self._scope.placement,
                settings=settings,
            )
            job.starts_at, job.ends_at = starts_at, ends_at
            job.use_packages(packages, package_values)
            if starts_at is not None:  # SCHEDULED: nothing is queued before the start
                job.status = "SCHEDULED"
            job.rollout_waiting = list(things)
            job.rollout_began = self._scope.clock()
            job.clock_anchor = (job.rollout_began, time.time())
            self._executions.roll_out(job)
            self._executions.settle(job)
        return job

    def _schedule(self, config: dict[str, Any]) -> tuple[float | None, float | None]:
        """schedulingConfig's startTime and endTime (``YYYY-MM-DDTHH:MM``, UTC) on the mock's
        clock; AWS's rules: the start at least 30 minutes ahead, the end at least 30 minutes
        after the start (or after now)."""
        now, wall = self._scope.clock(), time.time()
        start = _moment(config.get("startTime"), "startTime")
        end = _moment(config.get("endTime"), "endTime")
        if start is not None and start < wall + SCHEDULE_LEAD_SECONDS - 60:
            raise invalid_request("The startTime must be at least 30 minutes from now.")
        if end is not None and end < (start or wall) + SCHEDULE_LEAD_SECONDS - 60:
            raise invalid_request("The endTime must be at least 30 minutes after the startTime.")
        return (
            None if start is None else now + (start - wall),
            None if end is None else now + (end - wall),
        )

    def _from_template(self, settings: dict[str, Any]) -> dict[str, Any]:
        arn = settings.get("jobTemplateArn")
        if arn is None:
            return settings
        if managed_job_templates.ARN.match(str(arn)):
            return _from_managed(str(arn), settings)
        template = JobTemplates(self._scope).get(str(arn).rsplit("/", 1)[-1])
        copied = {k: v for k, v in template.settings.items() if k in TEMPLATE_SETTINGS}
        return {**copied, **{k: v for k, v in settings.items() if v is not None}}

    def things_targeted(self, targets: list[str]) -> list[str]:
        """The things of the target ARNs (a group's: its things and its descendants')."""
        things: dict[str, None] = {}
        for target in targets:
            found = _TARGET.match(target)
            if found is None:
                raise invalid_request(f"{target} is not the ARN of a thing or a thing group.")
            if (found.group("account"), found.group("region")) != (
                self._scope.account_id,
                self._scope.region,
            ):
                raise not_found(f"The target {target} does not exist in this account and region.")
            name = found.group("name")
            if found.group("kind") == "thing":
                things.setdefault(self._scope.thing(name).name)
            else:
                things.update(
                    dict.fromkeys(ThingGroups(self._scope).things_in(name, recursive=True))
                )
        return list(things)

    def _targets_thing(self, targets: list[str], thing_name: str) -> bool:
        """Whether one thing is among the targets' things, looking at that thing alone (a
        dynamic group's query is matched against its document, not run over the fleet)."""
        state, groups = self._scope.state, ThingGroups(self._scope)
        for target in targets:
            found = _TARGET.match(target)
            if found is None or (found.group("account"), found.group("region")) != (
                self._scope.account_id,
                self._scope.region,
            ):
                continue
            name = found.group("name")
            if found.group("kind") == "thing":
                if name == thing_name:
                    return True
                continue
            group = state.thing_groups.get(name)
            if group is None:
                continue
            if group.query is not None:
                if Indexing(self._scope).matches_thing(group.query, thing_name):
                    return True
                continue
            names = [name] + [g.name for g in groups.descendants(name)]
            if any(self._scope.links.group_things.get(n, thing_name) for n in names):
                return True
        return False

    def get(self, job_id: str) -> Job:
        with self._scope.store.lock:
            job = self._scope.state.jobs.get(job_id)
            if job is None:
                raise not_found(f"The job {job_id} does not exist.")
            self._executions.expire(job)  # catch up with the mock's clock
            return job

    def listed(
        self,
        *,
        status: str | None = None,
        target_selection: str | None = None,
        thing_group: str | None = None,
    ) -> Ordered[Job]:
        """ListJobs: the jobs in creation order that pass the filters, checked as a page
        reaches them (call under the store's lock). Only the jobs the clock can still change
        are caught up with it first."""
        group_arn = None if thing_group is None else self._scope.thing_group(thing_group).arn
        self._executions.catch_up()
        if status is None and target_selection is None and group_arn is None:
            return self._scope.state.jobs.in_order
        return Filtered(
            self._scope.state.jobs.in_order,
            lambda job: (
                status in (None, job.status)
                and target_selection in (None, job.target_selection)
                and group_arn in (None, *job.settings["targets"])
            ),
        )

    def select(
        self,
        *,
        status: str | None = None,
        target_selection: str | None = None,
        thing_group: str | None = None,
    ) -> list[Job]:
        with self._scope.store.lock:
            jobs = self.listed(
                status=status, target_selection=target_selection, thing_group=thing_group
            )
            return list(jobs)

    def document(self, job_id: str, *, before_substitution: bool = False) -> str | None:
        """The job document, with ``${aws:iot:parameter:NAME}`` replaced by the job's
        documentParameters unless ``before_substitution``."""
        return document_of(self.get(job_id), before_substitution=before_substitution)

    def update(self, job_id: str, changes: dict[str, Any]) -> Job:
        with self._scope.store.lock:
            job = self.get(job_id)
            job.settings.update(changes)
            job.last_updated_at = timestamp()
            return job

    def cancel(
        self, job_id: str, *, force: bool = False, reason_code: str | None, comment: str | None
    ) -> Job:
        """QUEUED executions are canceled; IN_PROGRESS ones only with ``force``."""
        with self._scope.store.lock:
            job = self.get(job_id)
            if job.status == "COMPLETED":
                raise invalid_request(f"The job {job_id} is COMPLETED; it cannot be canceled.")
            job.status = "CANCELED"
            job.force_canceled = job.force_canceled or force
            job.reason_code, job.comment = reason_code or job.reason_code, comment or job.comment
            job.last_updated_at = timestamp()
            self._executions.cancel_all(job, force=force)
            RegistryEvents(self._scope).job("canceled", job)
        fleet_changes.executions_changed(self._scope, list(job.executions))
        return job

    def delete(self, job_id: str, *, force: bool = False) -> None:
        """A job IN_PROGRESS is deleted only with ``force`` (InvalidStateTransitionException)."""
        state = self._scope.state
        with self._scope.store.lock:
            job = self.get(job_id)
            if job.status == "IN_PROGRESS" and not force:
                raise ServiceError(
                    "InvalidStateTransitionException",
                    f"The job {job_id} is IN_PROGRESS; cancel it first or delete it with force.",
                )
            state.tags.pop(job.arn, None)
            del state.jobs[job_id]
            state.jobs_in_motion.pop(job_id, None)
            for thing_name, runs in job.executions.items():
                state.executions_of_thing[thing_name].discard(runs[-1].sequence)
                runs[-1].leave_pending()
            RegistryEvents(self._scope).job("deleted", job)
        fleet_changes.executions_changed(self._scope, list(job.executions))

    def associate_targets(self, job_id: str, targets: list[str]) -> Job:
        """Add things or groups to a CONTINUOUS job IN_PROGRESS (at most 100 targets in all);
        their things not yet in the job are queued."""
        with self._scope.store.lock:
            job = self.get(job_id)
            if job.target_selection != "CONTINUOUS":
                raise invalid_request(
                    f"Targets can only be associated with a continuous job; {job_id} is a "
                    "snapshot job."
                )
            if job.status != "IN_PROGRESS":
                raise invalid_request(
                    f"Targets can only be associated with a job IN_PROGRESS; {job_id} is "
                    f"{job.status}."
                )
            new = [t for t in dict.fromkeys(targets) if t not in job.settings["targets"]]
            if len(job.settings["targets"]) + len(new) > MAX_JOB_TARGETS:
                raise ServiceError(
                    "LimitExceededException",
                    f"A job has at most {MAX_JOB_TARGETS} targets.",
                )
            things = [t for t in self.things_targeted(new) if t not in job.executions]
            job.settings["targets"] = [*job.settings["targets"], *new]
            for thing_name in things:
                self._executions.queue(job, thing_name)
        fleet_changes.executions_changed(self._scope, things)
        return job

    def thing_joined(self, group_name: str, thing_name: str) -> None:
        """A CONTINUOUS job targeting the group (or an ancestor) queues the new member."""
        groups = ThingGroups(self._scope)
        names = {group_name, *(g.name for g in groups.ancestors(group_name))}
        arns = {groups.get(name).arn for name in names}
        for job in list(self._scope.state.jobs.values()):
            continuous = job.target_selection == "CONTINUOUS" and job.status == "IN_PROGRESS"
            targeted = arns & set(job.settings["targets"])
            if continuous and targeted and thing_name not in job.executions:
                self._executions.queue(job, thing_name)
                fleet_changes.executions_changed(self._scope, [thing_name])

    def thing_changed(self, thing_name: str) -> None:
        """A thing created or updated may now match a dynamic group a CONTINUOUS job targets:
        it is queued, as AWS adds it when the group's membership changes."""
        for job in list(self._scope.state.jobs.values()):
            continuous = job.target_selection == "CONTINUOUS" and job.status == "IN_PROGRESS"
            if not continuous or thing_name in job.executions:
                continue
            try:
                targeted = self._targets_thing(job.settings["targets"], thing_name)
            except ServiceError:  # a target gone meanwhile (a group deleted, indexing off)
                continue
            if targeted:
                self._executions.queue(job, thing_name)
                fleet_changes.executions_changed(self._scope, [thing_name])


def managed_template(
    name: str, version: str | None = None
) -> managed_job_templates.ManagedTemplate:
    """A job template AWS manages; ResourceNotFoundException for another name or version."""
    template = managed_job_templates.TEMPLATES.get(name)
    if template is None or version not in (None, managed_job_templates.VERSION):
        raise not_found(
            f"The managed job template {name} (version {version or 'default'}) does not exist."
        )
    return template


def _from_managed(arn: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A job from a managed template: its document, its parameters checked (required ones
    given, each matching its regex, no others); optional ones left out are empty."""
    found = managed_job_templates.ARN.match(arn)
    assert found is not None
    template = managed_template(found["name"], found["version"])
    given = dict(settings.get("documentParameters") or {})
    known = {p["key"]: p for p in template.parameters}
    for key, value in given.items():
        if key not in known:
            raise invalid_request(f"{key} is not a document parameter of {template.name}.")
        if not re.fullmatch(known[key]["regex"], str(value)):
            raise invalid_request(f"The value of {key} does not match {known[key]['regex']}.")
    missing = [key for key in template.required() if key not in given]
    if missing:
        raise invalid_request(
            f"{template.name} needs the document parameters {', '.join(missing)}."
        )
    parameters = {**dict.fromkeys(known, ""), **given}
    return {
        "description": template.description,
        **{k: v for k, v in settings.items() if v is not None},
        "document": template.document,
        "documentParameters": parameters,
    }


class JobTemplates:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, template_id: str, settings: dict[str, Any]) -> JobTemplate:
        state = self._scope.state
        with self._scope.store.lock:
            if template_id in state.job_templates:
                raise ServiceError(
                    "ConflictException", f"The job template {template_id} already exists."
                )
            job_arn = settings.pop("jobArn", None)
            if job_arn is not None:
                job = Jobs(self._scope).get(str(job_arn).rsplit("/", 1)[-1])
                copied = {k: v for k, v in job.settings.items() if k in TEMPLATE_SETTINGS}
                settings = {**copied, **settings}
            if settings.get("document") is None and settings.get("documentSource") is None:
                raise invalid_request(
                    "A job template needs a document, a documentSource or a jobArn."
                )
            check_document(settings.get("document"))
            template = state.job_templates[template_id] = JobTemplate(
                template_id,
                **self._scope.placement,
                settings=settings,
            )
            return template

    def get(self, template_id: str) -> JobTemplate:
        with self._scope.store.lock:
            template = self._scope.state.job_templates.get(template_id)
            if template is None:
                raise not_found(f"The job template {template_id} does not exist.")
            return template

    def in_order(self) -> Ordered[JobTemplate]:
        """The templates by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.job_templates.in_order

    def select(self) -> list[JobTemplate]:
        with self._scope.store.lock:
            return list(self._scope.state.job_templates.values())

    def delete(self, template_id: str) -> None:
        state = self._scope.state
        with self._scope.store.lock:
            template = self.get(template_id)
            state.tags.pop(template.arn, None)
            del state.job_templates[template_id]
