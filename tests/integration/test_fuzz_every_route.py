"""Hostile and random input on EVERY route, found by walking `app.url_map`: a 4xx with a Dutch
message or a correct save, never a 500 and never script that comes back out unescaped.

Nothing here names a form or a route by hand, so a new screen is fuzzed the day it lands:

- the URL is built from the access-matrix world (`build_world()`), where every route has a real
  object, and the fuzzer logs in there as a role the matrix allows (`STAGES`: the few routes
  that world keeps closed are opened first);
- a first POST with nothing in it shows which forms the route binds: their prefixes, their
  fields and the choices the view offers (people, organisations...);
- then every example posts EVERY field name of EVERY form class in the app (collected from the
  app.*.forms modules and app/cases/forms/*) under the route's prefixes and a few other prefixes
  in use (`ALL_PREFIXES`, checked against `prefix=` in the app code and against the forms the
  requests really bind). The fields the route reads get generated values: all hostile (long
  text, control characters, HTML/script, lists, far dates, huge numbers), all plausible (valid
  input carrying script, to reach the save), or each either; the other fields one hostile value;
- the hidden `version` is the case's real current version (so the request gets past the 409 to
  validation and the service), or garbage;
- the answer and the page a 302 leads to are below 500 and hold no raw
  `<script>alert(1)</script>` / `onerror=alert(1)>`; a 4xx does not speak WTForms' English,
  and a 422 shows (one of) the Dutch messages its form gave.

`test_stored_input_comes_back_escaped_on_every_page` then stores script through every POST route
in one world and opens every page as every role. GET routes get the same fuzzing through their
query string (the directory, escalation-queue and monitor filters, paging...). The login steps
have their own tests (`SKIPPED`); a POST route the fuzzer cannot reach fails
`test_the_fuzzer_reaches_every_post_route` unless it is listed there with a reason.
"""

import html
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
from collections import defaultdict
from datetime import date, timedelta
from itertools import chain, product
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_wtf import FlaskForm
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange, Regexp

import app as app_package
from app.auth.access_matrix import ALLOW, MATRIX, PUBLIC
from app.auth.models import Role
from app.cases import workflow
from app.cases.forms import TEXT_MAX
from app.cases.models import Case, MdoMeeting, ReferralNote
from app.cases.services import referrals as referral_services
from app.cases.workflow import CaseState
from app.extensions import db, limiter
from tests.conftest import PASSWORD, text_of
from tests.factories import SchoolFactory, user_with_role
from tests.integration.test_access_matrix import build_world
from tests.integration.test_fuzz_forms import FUZZ, anything, hostile_text

APP_DIR = Path(app_package.__file__).parent
# Few examples per route keep the module fast; FUZZ_EXAMPLES=100 digs deeper.
POST_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 8))
GET_EXAMPLES = max(POST_EXAMPLES // 2, 1)
# No example database (every route would replay the other routes' examples) and no shrinking
# (shrinking a 100-field body runs hundreds of requests): FUZZ_SHRINK=1 shrinks a failure.
QUICK = settings(FUZZ, database=None, phases=[Phase.explicit, Phase.generate]
                 + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else []))
# Values under a prefix the route does not bind are cut to this length: they only show that
# stray fields are ignored (every prefix × every field at full length would pass
# MAX_CONTENT_LENGTH: a 413 that never reaches a form).
STRAY_LENGTH = 40

# --- which routes, as whom ----------------------------------------------------------------------

SKIPPED = {
    "static": "files, no input",
    "auth.login": "login step 1: test_fuzz_forms.py::test_login_never_breaks, "
                  "test_throttling.py",
    "auth.code": "login step 2, only right after a password: test_two_factor.py (malformed "
                 "codes), test_throttling.py, and test_a_code_in_other_digits_is_refused_in_dutch",
    "auth.enrol": "login step 2 of a new account: test_two_factor.py, test_throttling.py",
}


def _in_phase(state: CaseState):
    def move(world) -> None:
        db.session.get(Case, world.params["case_id"]).state = state
        db.session.flush()

    return move


def _back_in_mdo_phase(world) -> None:
    """The MDO is planned and recorded in the MDO phase, on the meeting not yet held."""
    _in_phase(CaseState.mdo)(world)
    world.params["meeting_id"] = db.session.scalar(
        sa.select(MdoMeeting.id).where(MdoMeeting.case_id == world.params["case_id"],
                                       MdoMeeting.held_at.is_(None)))


# Routes the matrix's escalated case closes to every role, or where it stops all input before
# validation: (role, how the fuzzer opens them first).
STAGES = {
    "cases.mdo_plan": (Role.school_staff, _back_in_mdo_phase),
    "cases.mdo_hold": (Role.school_staff, _back_in_mdo_phase),
    "cases.record_evaluation": (Role.school_staff, _in_phase(CaseState.evaluation)),
}
# Which allowed role fuzzes a route: the first of these the matrix allows.
ROLE_PREFERENCE = [Role.school_staff, Role.youth_professional, Role.coordinator, Role.participant,
                   Role.privacy_officer, Role.admin]
# Text URL arguments: every value the route knows (others are a plain 404).
URL_VALUES = {"trigger": sorted(workflow.TRIGGER_LABELS), "step": sorted(referral_services.STEPS)}
# Pages the look-around after the saves leaves out: counts only, never stored text (their
# filters are fuzzed by the GET test).
SWEEP_SKIPPED = {"monitor.dashboard", "monitor.export"}

# --- what is sent -------------------------------------------------------------------------------

# Every prefix a form is bound with in the app code: the literal ones, and for a prefix taken
# from a variable, the values that variable takes.
PREFIXES = {"assign", "consent", "decision", "evaluation", "meldcode", "note", "plan", "referral",
            "regie", "regie_accept", "regie_decline", "regie_withdraw", "resolve", "thuiszitter",
            "thuiszitter_end", "tier", "withdraw"}
DYNAMIC_PREFIXES = {
    "trigger": tuple(workflow.TRIGGER_LABELS),  # transition_form(trigger): cases.fire
    "step": tuple(referral_services.STEPS),  # answer_form(step): cases.referral_answer
    "key": ("assign", "tier", "decision", "resolve"),  # escalation views' _act(key)
}
ALL_PREFIXES = ("", *sorted(PREFIXES | set(chain(*DYNAMIC_PREFIXES.values()))))


def _form_modules():
    """app.<package>.forms, and every module of it when it is a package (app/cases/forms/*)."""
    for package in pkgutil.iter_modules(app_package.__path__):
        name = f"app.{package.name}.forms"
        if not package.ispkg or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        yield module
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            yield importlib.import_module(f"{name}.{sub.name}")


FORM_CLASSES = sorted({
    cls for module in _form_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, Form) and cls.__module__.startswith("app.")
}, key=lambda cls: f"{cls.__module__}.{cls.__name__}")
# field name -> its definitions (one per form class that has a field of that name)
VARIANTS: dict[str, list[UnboundField]] = defaultdict(list)
for _cls in FORM_CLASSES:
    for _name in dir(_cls):
        if isinstance(_field := getattr(_cls, _name, None), UnboundField):
            VARIANTS[_name].append(_field)
FIELDS = sorted(VARIANTS)


def _read_in_app(source: str) -> set[str]:
    """Names the views read from the request themselves: request.form.get("brin"),
    "clear" in request.form..."""
    pattern = re.compile(rf"request\.{source}\.get\(\s*[\"']([\w-]+)[\"']"
                         rf"|[\"']([\w-]+)[\"']\s+(?:not )?in request\.{source}\b")
    return {name for path in APP_DIR.rglob("*.py")
            for groups in pattern.findall(path.read_text()) for name in groups if name}


FORM_ARGS = _read_in_app("form")
QUERY_ARGS = _read_in_app("args")

# --- values: hostile, and plausible (valid input carrying script, to reach the save) -----------

TODAY = date.today()
far_dates = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.sampled_from(["0001-01-01", "9999-12-31", "31-12-9999", "2027-02-30", "00-00-0000",
                     "99999-01-01", "1-1-1", "2024-13-01", "24:00", "25:61", "23:59:60", "12.30",
                     "-1", "2025-01-01T00:00"]),
)
numbers = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["0", "-1", "1e309", "NaN", "Infinity", "9" * 40, "0x10", " 7 ", "1_000",
                     "3.5", "2147483648", "9223372036854775808",
                     "²", "٣", "٣٣٣٣٣٣", "１２３４５６"]),  # digits of other scripts
)
# What a hand-made query-string parser tends to miss: a number past the database integer, a
# digit of another script ("²".isdigit() is true), a NUL.
EDGES = ("9" * 30, "²", "\x00<script>alert(1)</script>")
several = st.lists(hostile_text, min_size=2, max_size=3)  # one key sent several times
# Text that passes validation and is stored: it must come back escaped.
SCRIPT_TEXT = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}",
               "Zoë & Daan <b>vet</b>", "=cmd|'/c calc'!A1", "\u202eevil", "regel\r\nregel"]
plausible_text = st.one_of(st.sampled_from(SCRIPT_TEXT), st.text(min_size=1, max_size=20))
plausible_dates = st.one_of(
    st.dates(TODAY - timedelta(days=400), TODAY + timedelta(days=400)),
    st.dates(),  # far away, but a real date
).map(date.isoformat)
DATES = {"DateField", "DateTimeField", "DateTimeLocalField"}
NUMBERS = {"IntegerField", "DecimalField", "FloatField", "IntegerRangeField"}
CHOICES = {"SelectField", "RadioField", "SelectMultipleField", "MultiCheckboxField"}


def _static_choices(unbound) -> list[str]:
    raw = unbound.kwargs.get("choices") or ()
    if callable(raw):
        return []
    items = raw.keys() if isinstance(raw, dict) else raw
    return [str(c[0] if isinstance(c, tuple | list) else c) for c in items]


def _hostile(name: str, ids: list[int]):
    classes = {u.field_class.__name__ for u in VARIANTS.get(name, [])}
    parts = [anything, several, numbers]  # numbers for every field: codes, references...
    if classes & (DATES | {"TimeField"}):
        parts.append(far_dates)
    if classes & CHOICES:
        parts.append(st.sampled_from(ids).map(str))
    return st.one_of(parts)


def _plausible_one(unbound, choices: list[str], text=plausible_text):
    kind = unbound.field_class.__name__
    validators = list(unbound.kwargs.get("validators") or ())
    longest = min((v.max for v in validators if isinstance(v, Length) and v.max >= 0),
                  default=TEXT_MAX)
    patterns = [v.regex.pattern for v in validators if isinstance(v, Regexp)]
    if choices or kind in CHOICES:
        one = st.sampled_from(sorted(set(choices) | set(_static_choices(unbound))) or [""])
        return st.lists(one, min_size=1, max_size=3) if "Multi" in kind else one
    simple = {"TimeField": st.times().map(lambda t: t.strftime("%H:%M")),
              "BooleanField": st.sampled_from(["y", None]),
              "EmailField": st.integers(1, 10**6).map(lambda n: f"fuzz{n}@example.org"),
              "PasswordField": st.just(PASSWORD)}
    if kind in DATES:
        return plausible_dates
    if kind in simple:
        return simple[kind]
    if kind in NUMBERS:
        ranges = [v for v in validators if isinstance(v, NumberRange)]
        low = max([r.min for r in ranges if r.min is not None], default=0)
        return st.integers(low, min([r.max for r in ranges if r.max is not None],
                                    default=low + 100)).map(str)
    if patterns:
        return st.from_regex(patterns[0], fullmatch=True).filter(lambda s: 0 < len(s) <= longest)
    return text.map(lambda s: s[:longest])


def _plausible(name: str, choices: dict[str, list[str]], text=plausible_text):
    variants = VARIANTS.get(name)
    if not variants:  # read by the view itself
        return st.one_of(text, st.sampled_from(choices.get(name) or [""]))
    return st.one_of([_plausible_one(u, choices.get(name, []), text) for u in variants])


def _values(read: set[str], ids: list[int], choices: dict[str, list[str]]):
    """(mode, a value per field the route reads, one hostile value for all other fields).
    Plausible first, so the simplest example is a save."""
    plausible = {name: _plausible(name, choices) for name in read}
    hostile = {name: _hostile(name, ids) for name in read}
    mixed = {name: st.one_of(plausible[name], hostile[name]) for name in read}
    return st.one_of([
        st.tuples(st.just(mode), st.fixed_dictionaries(values), hostile_text)
        for mode, values in (("plausible", plausible), ("mixed", mixed), ("hostile", hostile))
    ])


def _cut(value):
    return [v[:STRAY_LENGTH] for v in value] if isinstance(value, list) else value[:STRAY_LENGTH]


def _body(values: dict, stray: str, home: set[str], prefixes: set[str],
          version: str | None) -> MultiDict:
    """Every field name under every prefix of `prefixes`: the route's own fields under its own
    prefixes (`home`) whole, everything else cut short."""
    body = MultiDict()
    for prefix, name in product(sorted(prefixes | home), sorted(set(FIELDS) | values.keys())):
        value = values.get(name, stray)
        if name == "version" and version is not None:
            value = version
        if value is None:
            continue
        if prefix not in home or name not in values:
            value = _cut(value)
        key = f"{prefix}-{name}" if prefix else name
        for item in value if isinstance(value, list) else [value]:
            body.add(key, item)
    return body


# --- the checks ---------------------------------------------------------------------------------

SCRIPT = ("<script>alert(1)</script>", "onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
POST_STATUSES = {200, 302, 400, 401, 403, 404, 409, 422, 429}  # 401: a wrong password
PAGE_STATUSES = {200, 302, 400, 403, 404}
ENGLISH = re.compile(
    r"Not a valid|Invalid (Choice|input|value|email|CSRF)|This field (is|cannot)|"
    r"Field must be|Number must be|Date must be|is not a valid choice|could not coerce|"
    r"CSRF token")


def _check(response, what: str, statuses=POST_STATUSES) -> None:
    assert response.status_code in statuses, f"{what}: {response.status_code}"
    body = response.get_data(as_text=True)
    for marker in SCRIPT if response.mimetype == "text/html" else ():  # not in a CSV download
        assert marker not in body, f"{what}: unescaped {marker}"
    if 400 <= response.status_code < 500:
        english = ENGLISH.search(text_of(response))
        assert english is None, f"{what}: English message {english.group()!r}"


def _shows_why(response, forms, what: str) -> None:
    """A 422 shows (at least one of) the messages its forms gave: the user sees what to fix."""
    messages = {m for form in forms for errors in form.errors.values() for m in errors
                if isinstance(m, str)}
    if response.status_code != 422 or not messages:
        return
    text = " ".join(html.unescape(text_of(response)).split())
    assert any(" ".join(m.split()) in text for m in messages), (
        f"{what}: 422 without its message, e.g. {sorted(messages)[0]!r}")


def _follow(client, response, what: str) -> None:
    """After a 302, the page it leads to (where the save's message is shown)."""
    location = response.location or ""
    if location.startswith("/"):
        _check(client.get(location), f"{what} -> {location}", PAGE_STATUSES)


@pytest.fixture
def bound_forms(monkeypatch):
    """Every form a request binds to its input: its prefix, its fields and (once the view has
    filled them in) its choices can be read afterwards."""
    seen: list[Form] = []
    original = FlaskForm.Meta.wrap_formdata

    def wrap_formdata(meta, form, formdata):
        wrapped = original(meta, form, formdata)
        if wrapped is not None:
            seen.append(form)
        return wrapped

    monkeypatch.setattr(FlaskForm.Meta, "wrap_formdata", wrap_formdata)
    return seen


def _prefix(form) -> str:
    return (form._prefix or "").rstrip("-")


def _choice_value(choice) -> str:
    if isinstance(choice, tuple | list):
        return str(choice[0])
    return str(getattr(choice, "value", choice))


def _offered(field) -> list[str]:
    """The values a choice field offers, as the view filled them in (groups flattened)."""
    choices = getattr(field, "choices", None) or ()
    if isinstance(choices, dict):
        grouped = all(isinstance(v, list | tuple) for v in choices.values())
        choices = chain(*choices.values()) if grouped else list(choices)
    return [_choice_value(c) for c in choices]


# --- the walk -----------------------------------------------------------------------------------


def _rules(app, method: str):
    return [r for r in app.url_map.iter_rules()
            if method in r.methods and r.endpoint not in SKIPPED]


def _endpoints(method: str) -> list[str]:
    """The routes, read at collection time from a bare app with only the blueprints."""
    from flask import Flask

    from app import register_blueprints

    routes = Flask(__name__)
    register_blueprints(routes)
    return sorted({r.endpoint for r in _rules(routes, method)})


POST_ENDPOINTS = _endpoints("POST")
GET_ENDPOINTS = _endpoints("GET")


def _role(endpoint: str) -> Role | None:
    if endpoint in STAGES:
        return STAGES[endpoint][0]
    row = MATRIX.get(endpoint)
    if row == PUBLIC:
        return ROLE_PREFERENCE[0]
    return next((r for r in ROLE_PREFERENCE if row and row.get(r) == ALLOW), None)


def _urls(app, endpoint: str, method: str, params: dict) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in (r for r in _rules(app, method) if r.endpoint == endpoint):
            names = sorted(rule.arguments)
            options = [URL_VALUES.get(n, [params[n]]) for n in names]
            urls += [url_for(endpoint, **dict(zip(names, combo, strict=True)))
                     for combo in product(*options)]
    return urls


def _ids(world) -> list[int]:
    return sorted({v for v in world.params.values() if isinstance(v, int)}
                  | {u.id for u in world.users.values()})


def _version(world) -> str:
    return str(db.session.scalar(sa.select(Case.version)
                                 .where(Case.id == world.params["case_id"])))


PAGE_NAMES = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([\w-]+)\""
                        r"|href=\"[^\"]*[?&](?:amp;)?([\w-]+)=")


def _learn(send, urls, bound_forms, method: str):
    """Send each URL with nothing in it (itself a hostile input) and read off the forms the route
    binds: url -> their prefixes; the names of their fields, and for a page the names its own
    forms and links send (filters, paging); the choices the view offers."""
    homes, read, choices = {}, set(), defaultdict(set)
    for url in urls:
        bound_forms.clear()
        response = send(url)
        _check(response, f"{method} {url} (empty)")
        homes[url] = {""} | {_prefix(form) for form in bound_forms}
        for field in (f for form in bound_forms for f in form):
            read.add(field.short_name)
            choices[field.short_name].update(_offered(field))
        if method == "GET":
            found = PAGE_NAMES.findall(response.get_data(as_text=True))
            read |= {name for groups in found for name in groups if name and "-" not in name}
    return homes, read, {name: sorted(values) for name, values in choices.items()}


def _poster(client):
    # one key in the body: to a body without any, Flask-WTF binds no input at all
    return lambda url: client.post(url, data={"probe": ""})


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_every_post_route_survives_hostile_input(app, login, bound_forms, endpoint):
    world, role = build_world(), _role(endpoint)
    if endpoint in STAGES:
        STAGES[endpoint][1](world)
    client = login(world.users[role])
    urls = _urls(app, endpoint, "POST", world.params)
    homes, read, choices = _learn(_poster(client), urls, bound_forms, "POST")

    @settings(QUICK, max_examples=POST_EXAMPLES)
    @given(url=st.sampled_from(urls), drawn=_values(read | FORM_ARGS, _ids(world), choices),
           real_version=st.booleans(), strays=st.sets(st.sampled_from(ALL_PREFIXES), max_size=2))
    def post(url, drawn, real_version, strays):
        mode, values, stray = drawn
        limiter.reset()  # reauth and password changes count failures: reach the form instead
        version = _version(world) if mode != "hostile" or real_version else None
        bound_forms.clear()
        response = client.post(url, data=_body(values, stray, homes[url], strays, version))
        what = f"POST {url} as {role.value} ({mode})"
        _check(response, what)
        _shows_why(response, bound_forms, what)
        bound.update(_prefix(form) for form in bound_forms)
        if response.status_code == 302:
            _follow(client, response, f"POST {url}")

    bound = set()
    post()
    assert bound <= set(ALL_PREFIXES), f"forms bound with prefixes the fuzzer lacks: {bound}"
    assert bound <= set(chain(*homes.values())), "the first, empty POST did not show all forms"


def _look_around(app, client, world, role) -> set[str]:
    """Every page `role` may open (with the world's objects) is free of raw script; the pages
    that show it escaped."""
    shown = set()
    for endpoint in GET_ENDPOINTS:
        row = MATRIX.get(endpoint)
        if endpoint in SWEEP_SKIPPED or (row != PUBLIC and (not row or row.get(role) != ALLOW)):
            continue
        for url in _urls(app, endpoint, "GET", world.params):
            response = client.get(url)
            _check(response, f"GET {url} as {role.value} after the saves", PAGE_STATUSES)
            if ESCAPED in response.get_data(as_text=True):
                shown.add(f"{role.value} {endpoint}")
    return shown


def _store(app, client, world, endpoint, bound_forms, data) -> None:
    """Each URL of the route once, with plausible input whose every text is script."""
    urls = _urls(app, endpoint, "POST", world.params)
    homes, read, choices = _learn(_poster(client), urls, bound_forms, "POST")
    script = st.sampled_from(SCRIPT_TEXT[:2])
    for url in urls:
        values = data.draw(st.fixed_dictionaries(
            {name: _plausible(name, choices, script) for name in read | FORM_ARGS}))
        body = _body(values, SCRIPT_TEXT[0], homes[url], set(), _version(world))
        _check(client.post(url, data=body), f"POST {url} (script)")


# Stored last, in this order: they take the case out of the hands of the routes before them.
LAST = ("escalation.resolve", "cases.fire")


def test_stored_input_comes_back_escaped_on_every_page(app, login, bound_forms):
    """Every POST route once, in one world, with valid input whose text is script; then every
    page as every role: nothing stored comes back unescaped, to whoever it is shown (the
    notified user's inbox, the school's view of a youth professional's note...)."""
    routes = sorted(set(POST_ENDPOINTS) - set(STAGES) - {"auth.logout"},
                    key=lambda e: (LAST.index(e) if e in LAST else -1, e))

    @settings(QUICK, max_examples=1)
    @given(data=st.data())
    def store_then_look(data):
        world = build_world()
        clients = {role: login(user) for role, user in world.users.items()}
        for endpoint in routes:
            _store(app, clients[_role(endpoint)], world, endpoint, bound_forms, data)
        shown = set().union(*(_look_around(app, client, world, role)
                              for role, client in clients.items()))
        assert len(shown) >= 5, f"too little was stored to check: {sorted(shown)}"

    store_then_look()


def _fuzz_query(app, client, world, endpoint, bound_forms) -> None:
    urls = _urls(app, endpoint, "GET", world.params)
    homes, read, choices = _learn(client.get, urls, bound_forms, "GET")

    for url, edge in product(urls, EDGES):  # every name at once, so nothing is left to chance
        _check(client.get(url, query_string={name: edge for name in read | QUERY_ARGS}),
               f"GET {url} with {edge!r} everywhere", PAGE_STATUSES | {401, 422, 429})

    @settings(QUICK, max_examples=GET_EXAMPLES)
    @given(url=st.sampled_from(urls), drawn=_values(read | QUERY_ARGS, _ids(world), choices))
    def get(url, drawn):
        mode, values, stray = drawn
        query = _body(values, stray, homes[url], set(), None)
        _check(client.get(url, query_string=query), f"GET {url} ({mode})",
               PAGE_STATUSES | {401, 422, 429})

    get()


@pytest.mark.parametrize("role", ROLE_PREFERENCE, ids=lambda r: r.value)
def test_every_get_route_survives_a_hostile_query(app, login, bound_forms, role):
    """Per role, the GET routes it fuzzes (one world and one login for all of them)."""
    endpoints = [e for e in GET_ENDPOINTS if _role(e) == role and e not in STAGES]
    if not endpoints:
        pytest.skip(f"every GET route is fuzzed as another role than {role.value}")
    world = build_world()
    client = login(world.users[role])
    failures = []
    for endpoint in endpoints:
        try:
            _fuzz_query(app, client, world, endpoint, bound_forms)
        except Exception as exc:  # every route's failure is reported, not just the first
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"{endpoint}: {type(exc).__name__}: {exc}\n{notes}")
    assert failures == [], "\n\n".join(failures)


# --- the fuzzer keeps up with the app -----------------------------------------------------------


def test_the_fuzzer_reaches_every_post_route(app):
    world = build_world()
    unreachable = []
    for rule in _rules(app, "POST"):
        missing = sorted(set(rule.arguments) - world.params.keys())
        if missing:
            unreachable.append(f"{rule.endpoint}: build_world() has no {missing}")
        if _role(rule.endpoint) is None:
            unreachable.append(f"{rule.endpoint}: the matrix allows no role here")
    assert unreachable == [], "open these in STAGES (or list them in SKIPPED, with a reason)"
    assert set(SKIPPED) <= {r.endpoint for r in app.url_map.iter_rules()}, "stale SKIPPED entry"
    assert set(POST_ENDPOINTS) == {r.endpoint for r in _rules(app, "POST")}


def test_the_fuzzer_knows_every_form():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"SignaleringForm", "TransitionForm", "PlanMdoForm", "HoldMdoForm", "EvaluationForm",
            "ArrangementForm", "HandoverRequestForm", "ReferralAnswerForm", "DecisionForm",
            "StartEpisodeForm", "TierForm", "ThresholdsForm", "UserForm"} <= names
    assert {"version", "minutes", "action5_due", "outcome", "decision", "started_on",
            "to_user_id", "justification", "sla_days", "brin"} <= set(FIELDS)
    assert {"reference", "brin"} <= FORM_ARGS and {"page", "sector"} <= QUERY_ARGS


PREFIX_USE = re.compile(r"(?<![\w.])prefix=(?!=)([^,)\n]+)"  # a keyword argument
                        r"|setdefault\(\s*[\"']prefix[\"']\s*,\s*([^,)\n]+)"
                        r"|[\"']prefix[\"']\s*:\s*([^,}\n]+)")


def test_every_form_prefix_in_the_app_is_fuzzed():
    """`prefix=` in the app code: a literal must be in PREFIXES, a variable in
    DYNAMIC_PREFIXES (with the values it takes)."""
    found, missing = 0, []
    for path in sorted(APP_DIR.rglob("*.py")):
        for match in PREFIX_USE.finditer(path.read_text()):
            token = next(g for g in match.groups() if g).strip()
            literal = re.fullmatch(r"([\"'])(\w*)\1", token)
            found += 1
            if not (literal.group(2) in ALL_PREFIXES if literal else token in DYNAMIC_PREFIXES):
                missing.append(f"{path.relative_to(APP_DIR.parent)}: prefix={token}")
    assert missing == [], "add these to PREFIXES or DYNAMIC_PREFIXES"
    assert found >= 10, "the search for prefix= found too little: has the code style changed?"


# --- what the fuzzer found ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["٣٣٣٣٣٣", "１２３４５６"])
def test_a_code_in_other_digits_is_refused_in_dutch(client, code):
    """`\\d` matched these, and comparing them with the real code raised a TypeError (500)."""
    user = user_with_role(Role.school_staff, SchoolFactory())
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/auth/code", data={"code": code})
    assert response.status_code == 422
    assert "Een code bestaat uit zes cijfers." in text_of(response)


@pytest.mark.parametrize("query", ["page=" + "9" * 30, "tier=²", "tier=" + "9" * 30,
                                   "assigned=²", "assigned=" + "9" * 30,
                                   "municipality=" + "9" * 30])
def test_a_number_in_the_query_past_any_id_is_refused_not_a_crash(login, query):
    """A page past the database integer (every paginated list) and a filter id that is no
    number ("²".isdigit() is true) or too long (the escalation queue) were a 500."""
    world = build_world()
    response = login(world.users[Role.coordinator]).get(f"/escalaties/?{query}")
    assert response.status_code == (200 if query.startswith("page=") else 400)


def test_a_page_past_the_last_is_an_empty_list(login):
    world = build_world()
    client = login(world.users[Role.school_staff])
    for url in ("/cases/", "/cases/tasks", "/berichten/"):
        assert client.get(f"{url}?page={'9' * 30}").status_code in (200, 404)


def test_a_nul_byte_never_reaches_the_database(login):
    """SQLite would store it, PostgreSQL refuses it (a 500): app/security.py answers 400."""
    world = build_world()
    client = login(world.users[Role.youth_professional])
    case_id, referral_id = world.params["case_id"], world.params["referral_id"]
    response = client.post(f"/cases/{case_id}/referrals/{referral_id}/notes",
                           data={"note-version": _version(world), "note-text": "voor\x00na"})
    assert response.status_code == 400
    stored = db.session.scalars(sa.select(ReferralNote.text)
                                .where(ReferralNote.referral_id == referral_id)).all()
    assert not any("\x00" in text for text in stored)


# Found by this fuzzer: both pages hid the form a refused request answered, and with it the
# form's messages.
@pytest.mark.parametrize("endpoint", ["escalation.assign", "cases.referral_send"])
def test_a_422_on_a_form_the_page_hides_still_says_why(login, endpoint):
    world = build_world()
    if endpoint == "escalation.assign":
        client = login(world.users[Role.coordinator])
        url = f"/escalaties/{world.params['escalation_id']}/assign"
        client.post(url, data={"assign-version": _version(world)})  # now the coordinator's own
        response, message = client.post(url, data={"probe": ""}), "Dit veld is verplicht."
    else:  # the escalated case: no referrals are sent from there
        client = login(world.users[Role.school_staff])
        response = client.post(f"/cases/{world.params['case_id']}/referrals",
                               data={"referral-version": _version(world)})
        message = "Kies de jeugdprofessional naar wie u verwijst."
    assert response.status_code == 422
    assert message in text_of(response)
