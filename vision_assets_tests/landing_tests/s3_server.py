"""A real S3-compatible server for the tests: moto's server mode, in its own process on loopback, checking
every request's signature against a user of its own IAM (as AWS does), so wrong credentials are refused."""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

from vision_assets_tests.servers import wait_until_answering

REGION = "us-east-1"
# moto lets its first requests through unsigned, which creates the user below; it checks every later one.
_SETUP_REQUESTS = 3
_S3_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key_id: str
    secret_access_key: str

    def environment(self, secret_access_key: str | None = None) -> dict[str, str]:
        """What a deployment sets for s3fs (and boto3) to reach this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": secret_access_key or self.secret_access_key,
            "AWS_DEFAULT_REGION": REGION,
        }

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def delete_bucket(self, name: str) -> None:
        """Empty the bucket and delete it, as someone cleaning up the wrong bucket would."""
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)


@contextmanager
def s3_server() -> Iterator[S3Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_REQUESTS)}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # moto's own status page, which does not count as one of the unsigned set-up requests.
        status = f"{endpoint}/moto-api/"
        wait_until_answering(
            server, lambda: urllib.request.urlopen(status, timeout=2).close(), f"moto on {endpoint}"
        )
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="AKIASETUP",
            aws_secret_access_key="-",
        )
        iam.create_user(UserName="vision")
        key = iam.create_access_key(UserName="vision")["AccessKey"]
        iam.put_user_policy(UserName="vision", PolicyName="s3", PolicyDocument=json.dumps(_S3_EVERYTHING))
        yield S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        server.terminate()
        server.wait(timeout=30)
