"""A real S3-compatible server on loopback for the object-storage tests: moto's server mode
(`python -m moto.server`), started as its own process once per test session. The product's
code talks to it over HTTP through django-storages and boto3, as it would to MinIO or Ceph.

    def test_x(s3_storage): ...   # settings.STORAGES["default"] is the S3 backend
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from motcua.core.storage import default_storage_from_url

KEYS = {"AWS_ACCESS_KEY_ID": "motcua-test", "AWS_SECRET_ACCESS_KEY": "motcua-test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_client(s3_endpoint, monkeypatch):
    import boto3

    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        **{
            "aws_access_key_id": KEYS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": KEYS["AWS_SECRET_ACCESS_KEY"],
        },
    )


@pytest.fixture
def s3_storage(s3_endpoint, s3_client, settings):
    """The default storage is a fresh bucket of the loopback S3 server, configured the way
    an operator does it: MOTCUA_STORAGE_URL (core/storage.py). Yields the bucket's name."""
    bucket = f"motcua-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    url = f"s3://{bucket}?endpoint={s3_endpoint}&region=us-east-1&prefix=tep"
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_url(url)}
    yield bucket
    settings.STORAGES = {**settings.STORAGES}


__all__ = ["s3_client", "s3_endpoint", "s3_storage"]
