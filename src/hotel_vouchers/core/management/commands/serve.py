import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, collect static files, run the web server (gunicorn) and the worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="run the web server only")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hotel_vouchers.settings"}
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hotel_vouchers.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        children = [web]
        if not options["no_worker"]:
            children.append(
                subprocess.Popen([sys.executable, "-m", "hotel_vouchers", "worker"], env=env)
            )
        self.stdout.write(
            f"Serving at http://{options['bind']}/ (admin: {settings.BASE_URL}/admin/)"
        )
        self.stdout.flush()

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        code = web.wait()
        stop()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0 if code in (0, -signal.SIGTERM) else code)
