import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hotel_vouchers.core.idempotency import idempotency_purge_expired
from hotel_vouchers.vouchers.services import holds_expire_due, vouchers_expire_due


class Command(BaseCommand):
    help = "Run background work: expire due holds and vouchers, purge old idempotency keys."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="run one round and exit")

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("worker started")
        while not stop.is_set():
            close_old_connections()
            try:
                holds = holds_expire_due()
                vouchers = vouchers_expire_due()
                keys = idempotency_purge_expired()
                if holds or vouchers or keys:
                    self.stdout.write(
                        f"expired {holds} hold set(s), {vouchers} voucher(s); purged {keys} key(s)"
                    )
            except Exception as error:  # keep the worker alive; the next round retries
                self.stderr.write(f"worker round failed: {error!r}")
            if options["once"]:
                break
            stop.wait(options["interval"])
        self.stdout.write("worker stopped")
