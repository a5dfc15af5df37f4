"""An S3 endpoint for the growth tests: moto in server mode, a process of its own on a loopback port
of the test that starts it (test_storage.py 9010, test_backup_restore_s3.py 9020)."""

import socket
import subprocess
import sys
import time

ACCESS_KEY, SECRET_KEY, REGION = "test-key", "test-secret", "us-east-1"


class MotoServer:
    """moto_server as a process of its own; its buckets live in its memory, so a restart empties them.
    `buckets` are created on each start."""

    def __init__(self, port, buckets=()):
        self.port, self.buckets, self.process = port, tuple(buckets), None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def environment(self, media_bucket, private_bucket=None):
        """The S3_* variables of a site whose files live here (private_bucket None: a prefix of the media one)."""
        variables = {
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_MEDIA_BUCKET": media_bucket,
        }
        if private_bucket:
            variables["S3_PRIVATE_BUCKET"] = private_bucket
        return variables

    def start(self):
        assert not self.answers(), f"port {self.port} is taken"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not self.answers():
            assert self.process.poll() is None, "moto_server exited"
            assert time.monotonic() < deadline, "moto_server did not answer within 30 s"
            time.sleep(0.1)
        for bucket in self.buckets:
            self.client().create_bucket(Bucket=bucket)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def answers(self):
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def objects(self, bucket):
        """{key: size} of every object in the bucket."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])}

    def read(self, bucket, key):
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def empty(self, *buckets):
        client = self.client()
        for bucket in buckets:
            for key in self.objects(bucket):
                client.delete_object(Bucket=bucket, Key=key)
