"""The S3 objects AWS IoT itself reads and writes for a task (bulk registration's input file
and reports): in moto's S3 when moto's ``mock_aws()`` is active beside the mock, read and
written as AWS IoT would with the task's role; otherwise in files the test hands the controller,
so nothing ever leaves the process."""

from __future__ import annotations

from .._aws.errors import invalid_request
from .._aws.moto import moto_active
from ._scope import Scope


class S3Objects:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def read(self, bucket: str, key: str) -> bytes:
        if moto_active():
            import boto3

            s3 = boto3.client("s3", region_name=self._scope.region)
            try:
                return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            except Exception as error:  # moto's NoSuchKey, NoSuchBucket, AccessDenied
                raise invalid_request(f"s3://{bucket}/{key} cannot be read: {error}") from None
        with self._scope.store.lock:
            found = self._scope.state.s3_objects.get((bucket, key))
        if found is None:
            raise invalid_request(
                f"s3://{bucket}/{key} does not exist: start moto's mock_aws() and put it there, "
                "or hand it to the mock with iot_certs.put_s3_object."
            )
        return found

    def write(self, bucket: str, key: str, data: bytes) -> str:
        """Store the object; its URL."""
        if moto_active():
            import boto3

            boto3.client("s3", region_name=self._scope.region).put_object(
                Bucket=bucket, Key=key, Body=data
            )
        else:
            with self._scope.store.lock:
                self._scope.state.s3_objects[(bucket, key)] = data
        return f"https://{bucket}.s3.{self._scope.region}.amazonaws.com/{key}"
