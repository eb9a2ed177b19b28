"""The yardstick of `make bench`: the caseload's 50 rows from a minimal Flask + SQLAlchemy app.

The same rows as Schakel's caseload page 1 (the school's cases, most recently active first,
with pupil, state and regie holder), one query and a plain Jinja table: no login, no session,
no access log, no layout. Not part of the app. `gunicorn --pythonpath tools/bench minimal:app`
with BENCH_DATABASE_URL set.
"""

import os

import sqlalchemy as sa
from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DATABASE_URL"]
db = SQLAlchemy(app)

CASELOAD = sa.text("""
    SELECT c.id, p.reference, p.initials, p.group_name, c.state, u.name AS regie_holder,
           c.last_activity_at
    FROM pupil_case c
    JOIN pupil p ON p.id = c.pupil_id
    LEFT JOIN app_user u ON u.id = c.regie_holder_id
    WHERE c.school_id = :school
    ORDER BY c.last_activity_at DESC, c.id DESC
    LIMIT 50
""")
PAGE = """<!doctype html><title>Caseload</title><table>
{% for r in rows %}<tr><td><a href="/cases/{{ r.id }}">{{ r.reference }}</a> ({{ r.initials }})
</td><td>{{ r.group_name or '–' }}</td><td>{{ r.state }}</td><td>{{ r.regie_holder or '–' }}</td>
<td>{{ r.last_activity_at }}</td></tr>{% endfor %}</table>"""


@app.get("/caseload")
def caseload():
    rows = db.session.execute(CASELOAD, {"school": request.args.get("school", type=int)}).all()
    return render_template_string(PAGE, rows=rows)
