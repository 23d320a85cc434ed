"""The campaign translation desk: create_app(test_config=None) builds the web app.

Importing the package loads neither Flask nor Celery (they come with `create_app`), so that the
`translator` command starts quickly: an extract with nothing to do is measured against `msgcat`.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translator import config as config_module

if TYPE_CHECKING:
    from flask import Flask, Response
    from flask_babel import Babel

babel: Babel  # the flask-babel extension, created unbound on first use (see __getattr__)


def __getattr__(name: str) -> Any:
    if name == "babel":
        return _babel()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _babel() -> Babel:
    if "babel" not in globals():
        from flask_babel import Babel

        globals()["babel"] = Babel()
    extension: Babel = globals()["babel"]
    return extension


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app factory: configuration in layers, the database, the blueprints."""
    from flask import Flask

    from translator import db, jobs

    settings = config_module.load(test_config)
    app = Flask(
        __name__,
        instance_path=str(Path(settings["INSTANCE_PATH"]).resolve()),
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.update(settings)
    app.config["SECRET_KEY"] = secret_key(settings)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    _babel().init_app(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:  # only when configured: a forged X-Forwarded-For must not pick the rate limit
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.before_request(_start_timer)  # registered first: runs before the others, its
    app.after_request(_server_timing)  # after_request last, so their time counts too
    engine = db.make_engine(app.config["DATABASE_URL"])
    from translator.services import audit

    key = audit.load_key(app.instance_path, app.config.get("AUDIT_KEY"))
    app.extensions["translator.sessions"] = db.session_factory(engine, audit_key=key)
    jobs.configure(app.config)  # heavy work goes to Celery workers, never into a request

    from translator import api
    from translator.web import (
        admin,
        auth,
        dashboard,
        direction,
        documents,
        editions,
        errors,
        feeds,
        glossary,
        i18n,
        interface,
        labels,
        mail,
        security,
        workspace,
    )

    security.init_app(app)
    errors.init_app(app)  # the browser's error pages, in the person's language
    labels.init_app(app)
    direction.init_app(app)  # |isolate, |isolate_block: content and user text at the edge
    auth.init_app(app)
    interface.init_app(app)
    i18n.init_app(app)  # after interface: a template's translation is escaped, never markup
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(dashboard.bp)
    # Flask holds the key already (None): set it, or nothing is limited. A browser's PO upload
    # comes wrapped in a multipart form, hence the margin; the API limits each route closer.
    app.config["MAX_CONTENT_LENGTH"] = (
        settings.get("MAX_CONTENT_LENGTH") or app.config["MAX_IMPORT_BYTES"] + 64 * 1024
    )
    app.register_blueprint(api.bp)
    api.init_app(app)
    app.register_blueprint(documents.bp)
    app.register_blueprint(editions.bp)
    app.register_blueprint(glossary.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(mail.bp)
    return app


def _start_timer() -> None:
    from flask import g

    g.started = time.perf_counter()


def _server_timing(response: Response) -> Response:
    """The time the app spent on the request, for browsers' developer tools and `make bench`."""
    from flask import g

    started = g.get("started")
    if started is not None:
        elapsed = 1000 * (time.perf_counter() - started)
        response.headers["Server-Timing"] = f"app;dur={elapsed:.2f}"
    return response


def secret_key(settings: dict[str, Any]) -> str:
    """The key that signs the app's forms and the links mailed out (services/mail.py), the same
    in a web process and a job worker: configured, else made once in the instance folder."""
    configured: str | None = settings.get("SECRET_KEY")
    return configured or _instance_secret(str(Path(settings["INSTANCE_PATH"]).resolve()))


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, made once, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
