"""Role aliases, custom authorizers (and the default one) and domain configurations."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROLE = "arn:aws:iam::123456789012:role/device-credentials"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:authorize"


def public_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_role_alias_lifecycle(client: Any) -> None:
    created = client.create_role_alias(roleAlias="camera", roleArn=ROLE)
    client.update_role_alias(roleAlias="camera", credentialDurationSeconds=900)
    described = client.describe_role_alias(roleAlias="camera")["roleAliasDescription"]

    assert created["roleAliasArn"] == "arn:aws:iot:us-east-1:123456789012:rolealias/camera"
    assert (described["roleArn"], described["credentialDurationSeconds"]) == (ROLE, 900)
    assert described["owner"] == "123456789012"
    assert client.list_role_aliases()["roleAliases"] == ["camera"]
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_role_alias(roleAlias="camera", roleArn=ROLE)
    client.delete_role_alias(roleAlias="camera")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_role_alias(roleAlias="camera")


def test_role_alias_rules(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="less than or equal"):
        client.create_role_alias(roleAlias="a", roleArn=ROLE, credentialDurationSeconds=43201)
    with pytest.raises(client.exceptions.InvalidRequestException, match="IAM role"):
        client.create_role_alias(roleAlias="a", roleArn="arn:aws:iam::123456789012:user/bob")

    created = client.create_role_alias(roleAlias="a", roleArn=ROLE)
    described = client.describe_role_alias(roleAlias="a")["roleAliasDescription"]

    assert created["roleAlias"] == "a"
    assert described["credentialDurationSeconds"] == 3600


def test_authorizer_lifecycle_and_default(client: Any) -> None:
    created = client.create_authorizer(
        authorizerName="tokens",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="x-token",
        tokenSigningPublicKeys={"k1": public_key_pem()},
    )
    client.set_default_authorizer(authorizerName="tokens")
    default = client.describe_default_authorizer()["authorizerDescription"]

    assert created["authorizerArn"] == "arn:aws:iot:us-east-1:123456789012:authorizer/tokens"
    assert (default["authorizerName"], default["status"]) == ("tokens", "ACTIVE")
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.set_default_authorizer(authorizerName="tokens")
    with pytest.raises(client.exceptions.DeleteConflictException):
        client.delete_authorizer(authorizerName="tokens")
    client.clear_default_authorizer()
    client.update_authorizer(authorizerName="tokens", status="INACTIVE")
    assert [
        a["authorizerName"] for a in client.list_authorizers(status="INACTIVE")["authorizers"]
    ] == ["tokens"]
    client.delete_authorizer(authorizerName="tokens")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_default_authorizer()


def test_an_authorizer_needs_real_signing_keys_unless_signing_is_disabled(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="tokenKeyName"):
        client.create_authorizer(authorizerName="a", authorizerFunctionArn=FUNCTION)
    with pytest.raises(client.exceptions.InvalidRequestException, match="not a PEM public key"):
        client.create_authorizer(
            authorizerName="a",
            authorizerFunctionArn=FUNCTION,
            tokenKeyName="t",
            tokenSigningPublicKeys={"k": "not a key"},
        )

    client.create_authorizer(
        authorizerName="a", authorizerFunctionArn=FUNCTION, signingDisabled=True
    )

    assert (
        client.describe_authorizer(authorizerName="a")["authorizerDescription"]["signingDisabled"]
        is True
    )


def test_domain_configuration_lifecycle(client: Any) -> None:
    client.create_authorizer(
        authorizerName="tokens", authorizerFunctionArn=FUNCTION, signingDisabled=True
    )
    created = client.create_domain_configuration(
        domainConfigurationName="devices",
        authorizerConfig={"defaultAuthorizerName": "tokens", "allowAuthorizerOverride": True},
        tags=[{"Key": "team", "Value": "fleet"}],
    )
    described = client.describe_domain_configuration(domainConfigurationName="devices")
    endpoint = client.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]

    assert created["domainConfigurationArn"].startswith(
        "arn:aws:iot:us-east-1:123456789012:domainconfiguration/devices/"
    )
    assert (described["domainName"], described["domainConfigurationStatus"]) == (
        endpoint,
        "ENABLED",
    )
    assert described["authorizerConfig"]["defaultAuthorizerName"] == "tokens"
    assert client.list_tags_for_resource(resourceArn=created["domainConfigurationArn"])["tags"] == [
        {"Key": "team", "Value": "fleet"}
    ]
    with pytest.raises(client.exceptions.InvalidRequestException, match="disable it"):
        client.delete_domain_configuration(domainConfigurationName="devices")
    client.update_domain_configuration(
        domainConfigurationName="devices", domainConfigurationStatus="DISABLED"
    )
    client.delete_domain_configuration(domainConfigurationName="devices")
    assert client.list_domain_configurations()["domainConfigurations"] == []


def test_a_domain_of_your_own_needs_server_certificates(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="serverCertificateArns"):
        client.create_domain_configuration(
            domainConfigurationName="own", domainName="iot.example.com"
        )
    with pytest.raises(client.exceptions.InvalidRequestException, match="does not exist"):
        client.create_domain_configuration(
            domainConfigurationName="own", authorizerConfig={"defaultAuthorizerName": "nobody"}
        )
