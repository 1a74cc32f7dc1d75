"""A real `hotel-vouchers serve` (gunicorn, 2 workers, and the worker) on a free port,
against the test database, for the tests that talk to it over HTTP."""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection


def subprocess_database_url() -> str:
    """The URL of the test database, for processes that set Django up themselves."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _stop_with_parent() -> None:
    """In the server's process before it starts: SIGTERM when the test run dies, so a
    killed run leaves no server holding the test database (Linux; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log_path: str):
        self.port, self.process, self.log_path = port, process, log_path

    def request(self, method: str, path: str, *, token: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = None if body is None else json.dumps(body)
            conn.request(
                method,
                path,
                body=payload,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
            )
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null"), response
        finally:
            conn.close()

    def log(self) -> str:
        with open(self.log_path) as handle:
            return handle.read()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """`serve` against the test database, for the whole module."""
    with django_db_blocker.unblock():
        url = subprocess_database_url()
    port = _free_port()
    log_path = str(tmp_path_factory.mktemp("serve") / "serve.log")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOTEL_VOUCHERS_DATA_DIR": str(settings.DATA_DIR),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # Fuzzing sends many unknown codes; the limit itself is tested in-process.
        "API_MISS_LIMIT_PER_CLIENT": "1000000",
        "API_MISS_LIMIT_PER_ADDRESS": "1000000",
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hotel_vouchers",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent,
        )
    served = Server(port, process, log_path)
    deadline = time.monotonic() + 90
    while True:
        try:
            status, _, _ = served.request("GET", "/api/v1/me", token="none")
            if status == 401:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"serve did not come up:\n{served.log()}")
        time.sleep(0.2)
    yield served
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung server fails the test
        process.kill()
        pytest.fail("serve did not stop on SIGTERM")
