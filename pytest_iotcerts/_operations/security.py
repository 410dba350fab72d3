"""Wire adapters for role aliases, custom authorizers and domain configurations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.ordered import Ordered
from .._core.resources import Authorizer, DomainConfiguration, RoleAlias
from .._service import IotService
from .._service.custom_auth import Presented
from ._common import chosen, operation, page
from .tags import tag_on_create

AUTHORIZER_SETTINGS = (
    "authorizerFunctionArn",
    "tokenKeyName",
    "tokenSigningPublicKeys",
    "status",
    "signingDisabled",
    "enableCachingForHttp",
)
DOMAIN_SETTINGS = (
    "domainName",
    "serverCertificateArns",
    "validationCertificateArn",
    "authorizerConfig",
    "serviceType",
    "tlsConfig",
    "serverCertificateConfig",
    "authenticationType",
    "applicationProtocol",
    "clientCertificateConfig",
)


def _marker_page(
    items: list[Any] | Ordered[Any], params: Mapping[str, Any]
) -> tuple[list[Any], str | None]:
    return page(
        items,
        key=lambda item: item.sequence,
        marker=params.get("marker"),
        size=params.get("pageSize"),
        ascending=params.get("ascendingOrder", True) is not False,
    )


def _alias_answer(alias: RoleAlias) -> dict[str, Any]:
    return {"roleAlias": alias.name, "roleAliasArn": alias.arn}


@operation("CreateRoleAlias")
def create_role_alias(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    alias = service.role_aliases.create(
        params["roleAlias"], params["roleArn"], params.get("credentialDurationSeconds")
    )
    tag_on_create(service, alias.arn, params)
    return _alias_answer(alias)


@operation("DescribeRoleAlias")
def describe_role_alias(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    alias = service.role_aliases.get(params["roleAlias"])
    return {
        "roleAliasDescription": {
            **_alias_answer(alias),
            "roleArn": alias.role_arn,
            "owner": alias.account_id,
            "credentialDurationSeconds": alias.credential_duration_seconds,
            "creationDate": alias.creation_date,
            "lastModifiedDate": alias.last_modified_date,
        }
    }


@operation("UpdateRoleAlias")
def update_role_alias(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    alias = service.role_aliases.update(
        params["roleAlias"], params.get("roleArn"), params.get("credentialDurationSeconds")
    )
    return _alias_answer(alias)


@operation("DeleteRoleAlias")
def delete_role_alias(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.role_aliases.delete(params["roleAlias"])
    return {}


@operation("ListRoleAliases")
def list_role_aliases(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, marker = _marker_page(service.role_aliases.in_order(), params)
    return {"roleAliases": [alias.name for alias in chosen], "nextMarker": marker}


def _authorizer_answer(authorizer: Authorizer) -> dict[str, Any]:
    return {"authorizerName": authorizer.name, "authorizerArn": authorizer.arn}


def _authorizer_description(authorizer: Authorizer) -> dict[str, Any]:
    return {
        **_authorizer_answer(authorizer),
        **authorizer.settings,
        "creationDate": authorizer.creation_date,
        "lastModifiedDate": authorizer.last_modified_date,
    }


@operation("CreateAuthorizer")
def create_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    authorizer = service.authorizers.create(
        params["authorizerName"], chosen(params, AUTHORIZER_SETTINGS)
    )
    tag_on_create(service, authorizer.arn, params)
    return _authorizer_answer(authorizer)


@operation("DescribeAuthorizer")
def describe_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    authorizer = service.authorizers.get(params["authorizerName"])
    return {"authorizerDescription": _authorizer_description(authorizer)}


@operation("UpdateAuthorizer")
def update_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    authorizer = service.authorizers.update(
        params["authorizerName"], chosen(params, AUTHORIZER_SETTINGS)
    )
    return _authorizer_answer(authorizer)


@operation("DeleteAuthorizer")
def delete_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.authorizers.delete(params["authorizerName"])
    return {}


@operation("ListAuthorizers")
def list_authorizers(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    status = params.get("status")
    authorizers = service.authorizers
    listed = authorizers.listed(status)
    chosen, marker = _marker_page(listed, params)
    return {"authorizers": [_authorizer_answer(a) for a in chosen], "nextMarker": marker}


@operation("SetDefaultAuthorizer")
def set_default_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return _authorizer_answer(service.authorizers.set_default(params["authorizerName"]))


@operation("DescribeDefaultAuthorizer")
def describe_default_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"authorizerDescription": _authorizer_description(service.authorizers.default())}


@operation("ClearDefaultAuthorizer")
def clear_default_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.authorizers.clear_default()
    return {}


def _domain_answer(configuration: DomainConfiguration) -> dict[str, Any]:
    return {
        "domainConfigurationName": configuration.name,
        "domainConfigurationArn": configuration.arn,
    }


@operation("CreateDomainConfiguration")
def create_domain_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    configuration = service.domain_configurations.create(
        params["domainConfigurationName"], chosen(params, DOMAIN_SETTINGS)
    )
    tag_on_create(service, configuration.arn, params)
    return _domain_answer(configuration)


@operation("DescribeDomainConfiguration")
def describe_domain_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    configurations = service.domain_configurations
    configuration = configurations.get(params["domainConfigurationName"])
    settings = dict(configuration.settings)
    certificates = [
        {"serverCertificateArn": arn, "serverCertificateStatus": "VALID"}
        for arn in settings.pop("serverCertificateArns", [])
    ]
    settings.pop("validationCertificateArn", None)
    return {
        **_domain_answer(configuration),
        **settings,
        "domainName": configurations.domain_name(configuration),
        "serverCertificates": certificates,
        "domainConfigurationStatus": configuration.status,
        "serviceType": settings.get("serviceType", "DATA"),
        "domainType": "CUSTOMER_MANAGED" if certificates else "AWS_MANAGED",
        "lastStatusChangeDate": configuration.last_status_change_date,
    }


@operation("UpdateDomainConfiguration")
def update_domain_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    configuration = service.domain_configurations.update(
        params["domainConfigurationName"],
        chosen(params, DOMAIN_SETTINGS),
        status=params.get("domainConfigurationStatus"),
        remove_authorizer=bool(params.get("removeAuthorizerConfig")),
    )
    return _domain_answer(configuration)


@operation("DeleteDomainConfiguration")
def delete_domain_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.domain_configurations.delete(params["domainConfigurationName"])
    return {}


@operation("ListDomainConfigurations")
def list_domain_configurations(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    found = service.domain_configurations.listed(params.get("serviceType"))
    chosen, marker = _marker_page(found, params)
    summaries = [
        {**_domain_answer(c), "serviceType": c.settings.get("serviceType", "DATA")} for c in chosen
    ]
    return {"domainConfigurations": summaries, "nextMarker": marker}


@operation("TestInvokeAuthorizer")
def test_invoke_authorizer(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    mqtt, http, tls = (params.get(k) or {} for k in ("mqttContext", "httpContext", "tlsContext"))
    presented = Presented(
        token=params.get("token"),
        token_signature=params.get("tokenSignature"),
        username=mqtt.get("username"),
        password=mqtt.get("password"),
        client_id=mqtt.get("clientId"),
        server_name=tls.get("serverName"),
        headers=http.get("headers") if http else None,
        query_string=http.get("queryString"),
    )
    answer = service.custom_auth.invoke(params["authorizerName"], presented)
    return {
        "isAuthenticated": answer.is_authenticated,
        "principalId": answer.principal_id or None,
        "policyDocuments": answer.policy_documents,
        "refreshAfterInSeconds": answer.refresh_after,
        "disconnectAfterInSeconds": answer.disconnect_after,
    }


@operation("CreateCertificateProvider")
def create_certificate_provider(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    settings = {key: params[key] for key in ("lambdaFunctionArn", "accountDefaultForOperations")}
    provider = service.certificate_providers.create(params["certificateProviderName"], settings)
    tag_on_create(service, provider.arn, params)
    return {"certificateProviderName": provider.name, "certificateProviderArn": provider.arn}


@operation("DescribeCertificateProvider")
def describe_certificate_provider(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    provider = service.certificate_providers.get(params["certificateProviderName"])
    return {
        "certificateProviderName": provider.name,
        "certificateProviderArn": provider.arn,
        "lambdaFunctionArn": provider.settings["lambdaFunctionArn"],
        "accountDefaultForOperations": provider.operations,
        "creationDate": provider.creation_date,
        "lastModifiedDate": provider.last_modified_date,
    }


@operation("UpdateCertificateProvider")
def update_certificate_provider(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    changes: dict[str, Any] = {
        key: params[key]
        for key in ("lambdaFunctionArn", "accountDefaultForOperations")
        if key in params
    }
    provider = service.certificate_providers.update(params["certificateProviderName"], changes)
    return {"certificateProviderName": provider.name, "certificateProviderArn": provider.arn}


@operation("DeleteCertificateProvider")
def delete_certificate_provider(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.certificate_providers.delete(params["certificateProviderName"])
    return {}


@operation("ListCertificateProviders")
def list_certificate_providers(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page(
        service.certificate_providers.select(),
        key=lambda provider: provider.sequence,
        marker=params.get("nextToken"),
        size=None,
        ascending=params.get("ascendingOrder", True) is not False,
    )
    return {
        "certificateProviders": [
            {"certificateProviderName": p.name, "certificateProviderArn": p.arn} for p in chosen
        ],
        "nextToken": token,
    }
