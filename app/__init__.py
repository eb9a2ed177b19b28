"""Schakel: case coordination between schools and youth care."""

from collections.abc import Mapping

import sqlalchemy as sa
from flask import Flask, g, has_request_context, render_template, request

from app.config import INSTANCE, Config
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.security import register_security

# The known development value, which production refuses to start with.
DEV_SECRET = "dev-only-not-secret"  # noqa: S105  # nosec B105


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE))
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    _refuse_unsafe_production(app)
    register_security(app)  # first: the request id exists before any check can refuse
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _refuse_unsafe_production(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production":
        return
    if app.config["SECRET_KEY"] == DEV_SECRET:
        raise RuntimeError("SECRET_KEY ontbreekt: zet een geheime sleutel in de omgeving.")
    if app.config["DEMO_MODE"]:
        raise RuntimeError("Demomodus is niet toegestaan in productie (SCHAKEL_DEMO=1).")


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE.mkdir(exist_ok=True)
    from app import all_models  # noqa: F401  (registers every mapper before first use)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _tune_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout and enforced foreign keys; SQLAlchemy owns BEGIN so SAVEPOINTs work."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front (BEGIN IMMEDIATE) and queue on the busy timeout;
        # a deferred transaction that reads first and writes later fails at once under WAL.
        immediate = conn.info.pop("begin_immediate", False) or not _is_read_request()
        conn.info["immediate"] = immediate
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_read_request() -> bool:
    # `g.reading`: a write request that reads first (the case pages) and takes the write lock
    # only where it starts writing (app.cases.services.core.start_writing).
    return has_request_context() and (request.method in ("GET", "HEAD", "OPTIONS")
                                      or g.get("reading", False))


def register_blueprints(app: Flask) -> None:
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.cases.views import bp as cases_bp
    from app.main import bp as main_bp
    from app.notifications.views import bp as notifications_bp
    from app.org.views import bp as org_bp
    from app.org.views.directory import bp as directory_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(directory_bp)
    from app.escalation.thuiszitter_views import bp as thuiszitter_bp
    from app.escalation.views import bp as escalation_bp

    app.register_blueprint(escalation_bp)
    app.register_blueprint(thuiszitter_bp)
    from app.monitor.views import bp as monitor_bp

    app.register_blueprint(monitor_bp)
    from app.monitor.survey.views import bp as survey_bp

    app.register_blueprint(survey_bp)
    # Adds the CSV export to the audit blueprint. Not `import app.audit.export_views`: that
    # would rebind the local name `app` to the package.
    from app.audit import export_views  # noqa: F401

    app.register_blueprint(audit_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.audit.services import record_refusal_once
    from app.auth.throttling import record_throttled

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 403:
            record_refusal_once()
        if code == 429:
            record_throttled(error)
        return render_template(f"errors/{code}.html", error=error), code

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.errorhandler(code)(render_error)


def register_template_helpers(app: Flask) -> None:
    from app import filters
    from app.auth import permissions
    from app.auth.models import ROLE_LABELS
    from app.cases import workflow
    from app.cases.models import SIGNAL_CATEGORY_LABELS
    from app.notifications.views import header_context

    app.jinja_env.globals.update(permissions.JINJA_GLOBALS)
    app.jinja_env.globals.update(
        STATE_LABELS=workflow.STATE_LABELS, TRIGGER_LABELS=workflow.TRIGGER_LABELS,
        ROLE_LABELS=ROLE_LABELS, SIGNAL_CATEGORY_LABELS=SIGNAL_CATEGORY_LABELS,
        reason_label=workflow.reason_label,
        closure_label=lambda value: workflow.reason_label("close", value),
    )
    app.jinja_env.filters.update(filters.FILTERS)
    app.context_processor(header_context)  # the unread count in the header


def register_commands(app: Flask) -> None:
    from app.audit.cli import audit_cli
    from app.auth.cli import users_cli
    from app.backup import backup_command, restore_command
    from app.cases.cli import cases_cli
    from app.demo import seed_demo_command
    from app.notifications.cli import notifications_cli, outbox_cli
    from app.org.cli import org_cli
    from app.privacy.cli import privacy_cli, retention_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(notifications_cli)
    from app.escalation.cli import escalation_cli
    from app.monitor.cli import monitor_cli

    app.cli.add_command(escalation_cli)
    app.cli.add_command(monitor_cli)
    from app.bench.cli import bench_cli  # refuses to run in production

    app.cli.add_command(bench_cli)
