"""`translator extract` with nothing to do is measured against `msgcat` (make bench): the command
starts without the web stack, which it does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WEB_STACK = ("flask", "flask_babel", "celery", "kombu", "weasyprint", "translator.jobs")


def test_the_command_line_starts_without_flask_celery_or_weasyprint() -> None:
    script = (
        "import sys; import translator.cli; "
        f"print(' '.join(m for m in {WEB_STACK!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_app_factory_and_the_interface_extension_are_still_the_package_s(
    tmp_path: Path,
) -> None:
    settings = {
        "TESTING": True,
        "DATABASE_URL": "sqlite://",
        "SECRET_KEY": "k",
        "INSTANCE_PATH": str(tmp_path),
    }
    script = (
        "from translator import babel, create_app; "
        f"app = create_app({settings!r}); "
        "print(app.extensions['babel'].instance is babel)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"
