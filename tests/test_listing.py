"""ListCertificates and ListCertificatesByCA: real pagination, order, and the modeled errors."""

from __future__ import annotations

from typing import Any

import pytest
from csrs import csr

from pytest_iotcerts import IotCerts


def seed(iot_certs: IotCerts, count: int, **kwargs: Any) -> list[str]:
    request = csr("p256")
    return [iot_certs.issue_certificate(csr=request, **kwargs).certificate_id for _ in range(count)]


@pytest.mark.parametrize("ascending", [True, False])
def test_the_paginator_walks_every_certificate_once_in_creation_order(
    iot_certs: IotCerts, client: Any, ascending: bool
) -> None:
    ids = seed(iot_certs, 7)

    pages = list(
        client.get_paginator("list_certificates").paginate(
            ascendingOrder=ascending, PaginationConfig={"PageSize": 3}
        )
    )

    listed = [c["certificateId"] for p in pages for c in p["certificates"]]
    assert listed == (ids if ascending else ids[::-1])
    assert [len(p["certificates"]) for p in pages] == [3, 3, 1]


def test_next_marker_only_while_more_remain(iot_certs: IotCerts, client: Any) -> None:
    seed(iot_certs, 4)

    first = client.list_certificates(pageSize=2, ascendingOrder=True)
    second = client.list_certificates(pageSize=2, ascendingOrder=True, marker=first["nextMarker"])
    exact = client.list_certificates(pageSize=4)

    assert "nextMarker" in first
    assert "nextMarker" not in second
    assert "nextMarker" not in exact
    assert first["nextMarker"] != second.get("nextMarker")


def test_the_default_page_is_25_newest_first(iot_certs: IotCerts, client: Any) -> None:
    ids = seed(iot_certs, 26)

    response = client.list_certificates()

    assert [c["certificateId"] for c in response["certificates"]] == ids[::-1][:25]
    assert "nextMarker" in response


def test_a_summary_has_the_modeled_fields(iot_certs: IotCerts, client: Any) -> None:
    issued = iot_certs.issue_certificate(csr=csr("p256"), status="INACTIVE")

    [summary] = client.list_certificates()["certificates"]

    assert summary["certificateArn"] == issued.arn
    assert summary["status"] == "INACTIVE"
    assert summary["certificateMode"] == "DEFAULT"
    assert summary["creationDate"] == issued.creation_date


def test_a_marker_survives_deletions_between_pages(iot_certs: IotCerts, client: Any) -> None:
    ids = seed(iot_certs, 5, status="INACTIVE")

    first = client.list_certificates(pageSize=2, ascendingOrder=True)
    client.delete_certificate(certificateId=ids[2])  # the item the marker points at
    rest = client.list_certificates(pageSize=5, ascendingOrder=True, marker=first["nextMarker"])

    assert [c["certificateId"] for c in rest["certificates"]] == ids[3:]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pageSize": 251}, "less than or equal to 250"),
        ({"marker": "bm90LW91cnM="}, "is not one this service returned"),
        ({"marker": "!!"}, "regular expression pattern"),
    ],
)
def test_bad_paging_input_is_an_invalid_request(
    iot_certs: IotCerts, client: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match=message):
        client.list_certificates(**kwargs)


def test_listing_is_per_account_and_region(iot_certs: IotCerts, client: Any) -> None:
    mine = seed(iot_certs, 2)
    seed(iot_certs, 1, region="eu-west-1")
    seed(iot_certs, 1, account_id="210987654321")

    listed = [c["certificateId"] for c in client.list_certificates()["certificates"]]

    assert sorted(listed) == sorted(mine)


def test_list_certificates_by_ca(iot_certs: IotCerts, client: Any) -> None:
    from pytest_iotcerts import CertificateAuthority

    maker = CertificateAuthority.create("Acme Devices CA")
    other = CertificateAuthority.create("Other CA")
    signed = [
        iot_certs.register_certificate(
            maker.issue_device_certificate(f"d{i}")[0], ca_certificate=maker.certificate
        ).certificate_id
        for i in range(3)
    ]
    iot_certs.register_certificate(
        other.issue_device_certificate()[0], ca_certificate=other.certificate
    )
    seed(iot_certs, 1)
    maker_id = iot_certs.get(signed[0]).ca_certificate_id
    assert maker_id is not None

    pages = client.get_paginator("list_certificates_by_ca").paginate(
        caCertificateId=maker_id, ascendingOrder=True, PaginationConfig={"PageSize": 2}
    )

    assert [c["certificateId"] for p in pages for c in p["certificates"]] == signed
