"""One tree of domain errors, each with the stable code of API.md.

Services raise these; the API, the admin and the commands render them. The
HTTP status lives here too so that every surface answers the same.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "validation_error"
    status = 422
    title = "Invalid request"

    def __init__(self, detail: str | None = None, *, field: str | None = None, **extra: Any):
        self.detail = detail or self.title
        self.field = field
        self.extra = extra
        super().__init__(self.detail)

    def as_problem(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"https://hotel-vouchers.invalid/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        if self.field:
            problem["field"] = self.field
        problem.update(self.extra)
        return problem


class ValidationError(DomainError):
    code, status, title = "validation_error", 422, "Invalid input"


class InvalidCode(DomainError):
    code, status, title = "invalid_code", 422, "Malformed voucher code"


class NotFound(DomainError):
    code, status, title = "not_found", 404, "Not found"


class VoucherNotFound(NotFound):
    code, title = "voucher_not_found", "Voucher not found"


class PositionNotFound(NotFound):
    code, title = "position_not_found", "Position not found"


class HoldNotFound(NotFound):
    code, title = "hold_not_found", "Hold not found"


class Forbidden(DomainError):
    code, status, title = "forbidden", 403, "Forbidden"


class NotRedeemableHere(Forbidden):
    code, title = "not_redeemable_here", "Not redeemable here"


class Conflict(DomainError):
    code, status, title = "conflict", 409, "Conflict"


class VoucherUnpaid(Conflict):
    code, title = "voucher_unpaid", "Voucher not paid"


class VoucherExpired(Conflict):
    code, title = "voucher_expired", "Voucher expired"


class VoucherCancelled(Conflict):
    code, title = "voucher_cancelled", "Voucher cancelled"


class InsufficientBalance(Conflict):
    code, title = "insufficient_balance", "Insufficient balance"


class PositionRedeemed(Conflict):
    code, title = "position_redeemed", "Position already redeemed"


class PartialNotAllowed(Conflict):
    code, title = "partial_not_allowed", "Partial redemption not allowed"


class HoldNotActive(Conflict):
    code, title = "hold_not_active", "Hold not active"


class HoldExpired(Conflict):
    code, title = "hold_expired", "Hold expired"


class AmountExceedsHold(Conflict):
    code, title = "amount_exceeds_hold", "Amount exceeds hold"


class AlreadyReversed(Conflict):
    code, title = "already_reversed", "Already reversed"


class NotReversible(Conflict):
    code, title = "not_reversible", "Not reversible"


class CurrencyMismatch(Conflict):
    code, title = "currency_mismatch", "Currency mismatch"


class RequestInProgress(Conflict):
    code, title = "request_in_progress", "Request in progress"


class IdempotencyKeyReused(DomainError):
    code, status, title = "idempotency_key_reused", 422, "Idempotency key reused"


class DuplicateCode(DomainError):
    """A manual code that the organisation already has."""

    code, status, title = "validation_error", 422, "Code already exists"


class RateLimited(DomainError):
    """Too many unknown codes from this client or address; `retry_after` in seconds."""

    code, status, title = "rate_limited", 429, "Too many requests"
