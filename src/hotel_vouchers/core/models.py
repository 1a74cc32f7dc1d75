from django.db import models


class IdempotencyRecord(models.Model):
    """The first outcome of a request made with an Idempotency-Key.

    Written in the same transaction as the work it stands for, so a key is
    either unused or points at work that has been committed.
    """

    scope = models.CharField(max_length=100, help_text="Who used the key, e.g. api_client:7.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request.")
    result = models.JSONField(default=dict, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(
        blank=True,
        default="",
        help_text="The first answer's JSON, exactly as sent (a replay sends it again).",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class AuditEvent(models.Model):
    """Who did what, when: written in the transaction of the action itself."""

    organisation_id = models.BigIntegerField(null=True, db_index=True)
    actor = models.CharField(max_length=100)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class RateLimitCounter(models.Model):
    """Misses counted per key (a client, an IP address) and fixed time window.

    Kept in the database so that every worker process sees the same counts."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField(help_text="Unix time the window began.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratelimit_key_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @{self.window_start}: {self.count}"
