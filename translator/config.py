"""Configuration in layers: defaults, the instance folder's config.py, TRANSLATOR_* variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "ROOT": ".",  # the content root, holding source_texts/ and locales/
    "INSTANCE_PATH": "instance",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "MAX_IMPORT_BYTES": 10 * 1024 * 1024,
    "LARGE_IMPORT_BYTES": 1024 * 1024,  # an upload above this is imported by a job
    "SECRET_KEY": None,
    # how many reverse proxies stand in front of the desk: their X-Forwarded-For/-Proto/-Host
    # are believed for that many hops (ProxyFix); 0 believes none, as anyone can send them
    "PROXY_HOPS": 0,
    "AUDIT_DAYS": 0,  # the audit log's retention in days (translator audit prune); 0 keeps all
    # the audit log's key, 64 hex digits, kept apart from the database; None: instance/audit.key
    "AUDIT_KEY": None,
    "BROKER_URL": None,  # None: an embedded broker on SQLite in the instance folder
    "JOBS_EAGER": False,  # run jobs inside the request (tests only)
    # a job queued this long without a worker taking it is sent to the workers again (its
    # message may have been lost with the broker's restart)
    "JOB_RESEND_SECONDS": 120,
    # a running job whose worker has not beaten for this long lost its worker (killed, its
    # machine gone): it is sent to the workers again; a worker beats every quarter of it
    "JOB_STALLED_SECONDS": 60,
    # how long a browser or a proxy may keep a public page (Cache-Control: public, max-age): the
    # front page and the badges, and a published edition (web/public_pages.py)
    "PUBLIC_MAX_AGE": 60,
    "EDITION_MAX_AGE": 300,
    # the outbox (services/outbox.py): a worker's round of sending every this many seconds
    "OUTBOX_SECONDS": 5,
    # e-mail, for volunteers who give an address: smtp://host:port or smtps://user:pw@host:465
    # (None: no mail is sent), from this sender
    "SMTP_URL": None,
    "MAIL_FROM": "desk@localhost",
    # the hour (UTC) of the daily digest of events that are not urgent
    "DIGEST_HOUR": 6,
    # a git remote (a path, file://, ssh, https) each publication is committed and pushed to,
    # on this branch (None: no mirror)
    "PUBLISH_GIT": None,
    "PUBLISH_BRANCH": "editions",
    # the desk's public address, for links in mail and feeds sent out (None: links say nothing)
    "BASE_URL": None,
}


def load(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """The configuration, from the layers above, then `overrides` (tests, command-line options)."""
    environ = dict(os.environ) if environ is None else environ
    config = dict(DEFAULTS)
    instance = Path(environ.get("TRANSLATOR_INSTANCE_PATH", config["INSTANCE_PATH"]))
    config["INSTANCE_PATH"] = str(instance)
    instance_file = instance / "config.py"
    if instance_file.is_file():
        namespace: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)
        config.update({k: v for k, v in namespace.items() if k.isupper()})
    for key in DEFAULTS:
        value = environ.get(f"TRANSLATOR_{key}")
        if value is not None:
            config[key] = int(value) if isinstance(DEFAULTS[key], int) else value
    config.update(overrides or {})
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = (
            f"sqlite:///{Path(config['INSTANCE_PATH']).resolve() / 'translator.db'}"
        )
    return config
