"""schemathesis against the OpenAPI document the real server serves: generated
requests to every operation, valid and invalid, never get a 5xx, and every
response matches its documented status, content type and schema.

Bounded in time: a fixed number of examples per operation, no shrinking
beyond hypothesis' defaults."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hotel_vouchers.api_clients.models import SCOPES
from hotel_vouchers.api_clients.services import api_client_create
from tests import factories
from tests.served import server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
# Per operation and mode. CI draws the same examples every run (derandomized), so that a
# red run is a regression; FUZZ_EXAMPLES=500 with FUZZ_RANDOM=1 explores afresh.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_token(transactional_db):
    """A client with every scope, a voucher and a product for it to find."""
    hotel = factories.hotel(factories.organisation())
    factories.value_voucher(hotel, "100.00")
    bar = factories.location(hotel, "bar")
    factories.product_with_positions(
        hotel.organisation, hotel, [("a", "Aperitif", 1200, [bar], False)]
    )
    _, token = api_client_create(
        organisation=hotel.organisation,
        name=f"fuzz {time.monotonic_ns()}",
        scopes=list(SCOPES),
        actor="test",
    )
    return token


def _operations(server):
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/api/v1/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(server, api_token, mode):
    # Given the document the server serves, and a client with every scope
    operations = _operations(server)
    assert len(operations) >= 11  # every endpoint of API.md but checkout
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case) -> None:
            # When a generated request is sent, then its answer is as documented
            case.call_and_validate(
                base_url=f"http://127.0.0.1:{server.port}",
                headers={"Authorization": f"Bearer {api_token}"},
                checks=CHECKS,
            )

        try:
            exercise()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {error}")

    assert not failures, "\n\n".join(failures)
