"""Idempotency keys for services: the same key does the work once.

`idempotency_claim` runs inside the caller's transaction, after its row lock.
It returns the record of an earlier use of the key (the caller replays it),
or creates the record so that the key is taken by this transaction's work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotel_vouchers.core.errors import (
    DomainError,
    IdempotencyKeyReused,
    RequestInProgress,
    ValidationError,
)
from hotel_vouchers.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


def validate_idempotency_key(key: object) -> str:
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= MAX_KEY_LENGTH
        or not key.isprintable()
        or not key.isascii()
        or not key.strip()
    ):
        raise ValidationError(
            "Idempotency-Key must be 1-255 printable ASCII characters.", field="idempotency_key"
        )
    return key


def fingerprint(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def idempotency_claim(
    *, scope: str, key: str, request_fingerprint: str
) -> tuple[IdempotencyRecord, bool]:
    """(record, created). An existing record with another fingerprint is refused."""
    validate_idempotency_key(key)
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=request_fingerprint
                )
            return record, True
        except IntegrityError:
            # Another transaction took the key and has committed since.
            record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used before with a different request.")
    return record, False


def idempotency_purge_expired(*, now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent_response(
    *,
    scope: str,
    key: str | None,
    request_fingerprint: str,
    run: Callable[[], tuple[int, Any]],
) -> tuple[int, str, bool]:
    """(status, JSON text, replayed) of a request that may carry an Idempotency-Key.

    With a key, the work, its answer and the key's record commit in one
    transaction: a retry gets the first answer byte for byte (errors included)
    and the work is done once. A request that arrives while the first still
    runs waits for it on the record's unique index (PostgreSQL) or the write
    lock (SQLite), then replays its answer. A DomainError is an answer too;
    anything else rolls everything back and leaves the key unused."""
    if key is None:
        try:
            status, body = run()
        except DomainError as error:
            status, body = error.status, error.as_problem()
        return status, json.dumps(body), False
    with transaction.atomic():
        record, created = idempotency_claim(
            scope=scope, key=key, request_fingerprint=request_fingerprint
        )
        if not created:
            if record.response_status is None:  # pragma: no cover - only during a migration
                raise RequestInProgress("A request with this Idempotency-Key is still running.")
            return record.response_status, record.response_body, True
        try:
            with transaction.atomic():
                status, body = run()
        except DomainError as error:
            status, body = error.status, error.as_problem()
        record.response_status, record.response_body = status, json.dumps(body)
        record.save(update_fields=["response_status", "response_body"])
    return status, record.response_body, False
