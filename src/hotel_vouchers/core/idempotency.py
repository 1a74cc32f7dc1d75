"""Idempotency keys for services: the same key does the work once.

`idempotency_claim` runs inside the caller's transaction, after its row lock.
It returns the record of an earlier use of the key (the caller replays it),
or creates the record so that the key is taken by this transaction's work.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotel_vouchers.core.errors import IdempotencyKeyReused, ValidationError
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
