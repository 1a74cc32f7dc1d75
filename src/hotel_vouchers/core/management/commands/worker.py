import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from hotel_vouchers.core.idempotency import idempotency_purge_expired
from hotel_vouchers.core.ratelimit import ratelimit_purge
from hotel_vouchers.vouchers.services import holds_expire_due, vouchers_expire_due
from hotel_vouchers.webhooks.services import webhook_delivery_requeue_stalled


class Command(BaseCommand):
    help = (
        "Run background work: queued tasks (webhooks, e-mails), and every --interval seconds "
        "expire due holds and vouchers and purge old idempotency keys and rate-limit counters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between sweeps")
        parser.add_argument(
            "--poll", type=float, default=0.5, help="seconds between looks at the task queue"
        )
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("worker started")
        self.stdout.flush()
        next_sweep = 0.0
        while not stop.is_set():
            close_old_connections()
            if time.monotonic() >= next_sweep:
                self._sweep()
                next_sweep = time.monotonic() + options["interval"]
            self._run_tasks(stop)
            if options["once"]:
                break
            stop.wait(options["poll"])
        self.stdout.write("worker stopped")

    def _sweep(self) -> None:
        try:
            holds = holds_expire_due()
            vouchers = vouchers_expire_due()
            keys = idempotency_purge_expired()
            counters = ratelimit_purge()
            stalled = webhook_delivery_requeue_stalled()
            if holds or vouchers or keys or counters or stalled:
                self.stdout.write(
                    f"expired {holds} hold set(s), {vouchers} voucher(s); "
                    f"purged {keys} key(s), {counters} counter(s); "
                    f"requeued {stalled} webhook delivery(ies)"
                )
        except Exception as error:  # keep the worker alive; the next sweep retries
            self.stderr.write(f"sweep failed: {error!r}")

    def _run_tasks(self, stop: threading.Event) -> None:
        """Every task that is due, one after another (django-tasks' own worker loop)."""
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=50,  # then look at the clock and the stop signal again
            worker_id="hotel-vouchers-worker",
            excluded_queue_names=[],
        )
        try:
            worker.run()
        except Exception as error:  # a broken task is recorded by the worker; keep going
            self.stderr.write(f"task round failed: {error!r}")
