"""The integration API v1 (shared/API.md): one NinjaAPI, a router per app.

Every error leaves as RFC 9457 problem JSON with a stable `code`, whatever
raised it: a domain error, a request the schema refuses, a body that is not
JSON, an unknown path, a database that is briefly locked.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from hotel_vouchers.api_clients.auth import ApiTokenAuth
from hotel_vouchers.core.errors import DomainError, ValidationError

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None):
    response = HttpResponse(
        json.dumps(problem), status=problem["status"], content_type=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _problem(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"https://hotel-vouchers.invalid/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def _no_exponent(text: str) -> Decimal:
    if "e" in text.lower():
        raise ValidationError(
            f'{text} is not in plain decimal notation; send amounts like 12.50 or "12.50".'
        )
    return Decimal(text)


def _no_constant(text: str) -> Any:
    raise ValidationError(f"{text} is not a number.")


class ExactJsonParser(Parser):
    """JSON numbers with a fraction become Decimal, never float; no exponent, NaN or
    Infinity (API.md "Money")."""

    def parse_body(self, request: HttpRequest):
        try:
            return json.loads(request.body, parse_float=_no_exponent, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as error:
            if isinstance(error, DomainError):
                raise
            raise ValidationError(f"The request body is not valid JSON: {error}.") from None


class HotelVouchersAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Errors are documented as what they are: application/problem+json."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Refused by the web server (gunicorn) before the API sees the request.
                operation["responses"].setdefault(
                    "414", {"description": "Request line too long (over 4,094 bytes)."}
                )
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_JSON: content["application/json"]}
        return schema


api = HotelVouchersAPI(
    title="hotel-vouchers integration API",
    version="1",
    description=(
        "For PMS, POS registers and booking engines: balance inquiry, redemption, holds "
        "(pre-authorisation) with capture and release, reversal, issue, sync feed and batch "
        "redemption. Auth: `Authorization: Bearer <token>`. Errors are RFC 9457 problem "
        "JSON with a stable `code`. Every POST accepts an `Idempotency-Key` header."
    ),
    auth=ApiTokenAuth(),
    parser=ExactJsonParser(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    headers = {}
    if retry_after := error.extra.get("retry_after"):
        headers["Retry-After"] = str(retry_after)
    return problem_response(error.as_problem(), headers)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))}
        for item in error.errors
    ]
    fields = ", ".join(dict.fromkeys(_field_name(e["loc"]) for e in errors if e["loc"]))
    detail = f"Invalid input: {fields}." if fields else "Invalid input."
    return problem_response(
        _problem(422, "validation_error", "Invalid input", detail, errors=errors)
    )


# What ninja and pydantic add to a field's location: its source and union branches.
_NOT_FIELDS = {"body", "query", "path", "header", "str", "decimal", "int", "bool", "float"}


def _field_name(loc: list[str]) -> str:
    parts = [part for part in loc if part not in _NOT_FIELDS]
    return ".".join(parts) or loc[0]


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem_response(
        _problem(
            401,
            "unauthorized",
            "Unauthorized",
            "A valid API token is required: Authorization: Bearer <token>.",
        ),
        {"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error.__cause__, DomainError):
        return _domain_error(request, error.__cause__)
    if error.status_code == 400:  # ninja: a body it could not read
        return problem_response(_problem(422, "validation_error", "Invalid input", str(error)))
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(error.status_code, "error")
    return problem_response(_problem(error.status_code, code, str(error), str(error)))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(_problem(404, "not_found", "Not found", "No such resource."))


@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, error: DataError) -> HttpResponse:
    """A value the schema let through but the database cannot store or compare."""
    logger.warning("database refused a value: %s", error)
    return problem_response(
        _problem(
            422,
            "validation_error",
            "Invalid input",
            "A value is out of the range the database can hold; nothing was changed.",
        )
    )


@api.exception_handler(InterfaceError)  # a kept connection the server closed (a restart)
@api.exception_handler(OperationalError)  # locked, or the server went away
def _database_busy(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("database unavailable: %s", error)
    return problem_response(
        _problem(
            503,
            "service_unavailable",
            "Service unavailable",
            "The database is busy; nothing was changed. Retry the request.",
        ),
        {"Retry-After": "1"},
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem_response(
        _problem(500, "internal_error", "Internal error", "Something went wrong on our side.")
    )


class ApiProblemMiddleware:
    """Answers the framework gives before any operation runs (405 for a method a
    path lacks) leave /api/ as problem JSON too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith(PROBLEM_JSON)
        ):
            allowed = response.get("Allow", "")
            problem = problem_response(
                _problem(
                    405,
                    "method_not_allowed",
                    "Method not allowed",
                    f"{request.method} is not allowed here; allowed: {allowed}.",
                ),
                {"Allow": allowed},
            )
            return problem
        return response


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Paths under /api/v1/ that name no endpoint."""
    return problem_response(_problem(404, "not_found", "Not found", "No such endpoint."))


from hotel_vouchers.api_clients.api import router as clients_router  # noqa: E402
from hotel_vouchers.catalog.api import router as catalog_router  # noqa: E402
from hotel_vouchers.vouchers.api import router as vouchers_router  # noqa: E402

api.add_router("", clients_router)
api.add_router("", catalog_router)
api.add_router("", vouchers_router)
