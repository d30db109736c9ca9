"""What every page shares: the controls chosen once (language, as-of quarter, screenshot mode) and kept in the session
and the URL; the header with the cut-off and the 示例 notice; the footer with data time, source and rule; drawing a
chart. Pages call open_view() (or open_optional_view()) first and render_footer() last."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from pipelines.core.catalog import DEFAULT_LANG, LANGS, messages, t
from pipelines.core.config import today
from pipelines.core.periods import Period, parse_period, period_of_code
from pipelines.engine.progress import StatusRule, legend
from pipelines.engine.status_rule import rule_title
from pipelines.plan.evaluation import Evaluation
from pipelines.plan.records import PlanData, PlanInfo
from pipelines.plan.standing import Standing
from pipelines.present.evaluation import is_final_view
from pipelines.present.formatting import format_rate, format_time, name_of, plain
from pipelines.present.tables import shows_illustrative
from pipelines.store.plans import default_plan
from pipelines.workflow.accounts import ADMIN
from views.shared import data
from views.shared.printable import print_assets
from views.shared.signin import current_user

SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT = 1600, 900
URL_CONTROLS = ("lang", "plan", "as_of", "screenshot")  # the shared controls a link may set
SCREENSHOT_ON, SCREENSHOT_OFF = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
ECHO_CHARS = 200  # how much of a value from the URL that cannot be used is repeated back to the reader
CHART_CONFIG = {"displaylogo": False}
# Screenshot mode: no sidebar, header or toolbar; the page is a fixed 1600 × 900 (16:9) canvas.
SCREENSHOT_CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {{display: none !important;}}
[data-testid="stMainBlockContainer"] {{width: {SCREENSHOT_WIDTH}px; max-width: {SCREENSHOT_WIDTH}px;
  min-height: {SCREENSHOT_HEIGHT}px; padding: 12px 28px 8px 28px !important; margin: 0;}}
[data-testid="stMainBlockContainer"] h1 {{font-size: 1.75rem; padding: 0 0 0.25rem 0;}}
[data-testid="stMain"] {{overflow: hidden;}}
</style>"""


@dataclass(frozen=True)
class View:
    """A page's context: the reader's language and mode, and the store's standing as of the chosen quarter."""

    lang: str
    screenshot: bool
    url: str
    version: data.Version
    standing: Standing
    illustrative: bool

    @property
    def plan(self) -> PlanData:
        return self.standing.plan

    @property
    def code(self) -> str:
        """The chosen plan's code (the key of every per-plan read)."""
        return self.standing.plan.info.code

    @property
    def as_of(self) -> Period:
        return self.standing.as_of

    @property
    def rule(self) -> StatusRule:
        return self.standing.rule

    @property
    def final(self) -> bool:
        """An ended plan at its last quarter: the page shows the 总结评估's conclusions, not pace lights."""
        return is_final_view(self.plan, self.as_of, self.plan.info.state(today()))

    def evaluation(self) -> Evaluation:
        """The 总结评估 (final view) or the 中期评估 as of the chosen quarter of the chosen plan."""
        found = data.evaluation(self.url, self.version, self.code, "final" if self.final else "midterm",
                                self.as_of.code)
        assert found is not None, "a view exists only for a plan in the store"
        return found

    def t(self, key: str, /, **values: object) -> str:
        return t(key, self.lang, **values)


# ---- controls (called by app.py before navigation) -------------------------------------------------------------

def echo(value: object) -> str:
    """A value from the URL (or typed by someone) repeated back in a message: cut to ECHO_CHARS and escaped, so it
    shows exactly as typed and can never become a link, an image, a heading or a line of the page's own."""
    text = str(value)
    return plain(text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…")


def _start_session() -> dict[str, str]:
    """The first run of a session takes lang, as_of and screenshot from the URL; later runs keep the session's. A
    value that is not one of the choices leaves the default in place. Returns the values the URL gave on this run."""
    state, params = st.session_state, st.query_params
    given = {name: str(params.get(name)) for name in URL_CONTROLS if name not in state and name in params}
    if "lang" not in state:
        state["lang"] = given["lang"] if given.get("lang") in LANGS else DEFAULT_LANG
    if "plan" not in state:
        state["plan"] = given.get("plan")  # checked against the plans this reader may see once they are known
    if "as_of" not in state:
        period = parse_period(given.get("as_of"))
        state["as_of"] = period.code if period else None
    if "screenshot" not in state:
        state["screenshot"] = given.get("screenshot", "").strip().lower() in SCREENSHOT_ON
    return given


def _unusable(given: dict[str, str], options: list[str], plans: list[str]) -> list[str]:
    """The URL's values for the shared controls that could not be used (the page shows its default instead), as
    name=value escaped for Markdown. An as_of is only judged once the store has quarters to choose from."""
    def usable(name: str, value: str) -> bool:
        if name == "lang":
            return value in LANGS
        if name == "plan":
            return value in plans
        if name == "screenshot":
            return value.strip().lower() in (*SCREENSHOT_ON, *SCREENSHOT_OFF)
        period = parse_period(value)
        return not options or (period is not None and period.code in options)

    return [f"{plain(name)}={echo(value)}" for name, value in given.items() if not usable(name, value)]


def _copy(key: str) -> None:
    st.session_state[key] = st.session_state[f"w_{key}"]


def _widget(key: str, make: Callable[..., object], **kwargs: Any) -> None:
    """A sidebar widget mirroring a session value, so the value survives runs where the widget is not drawn."""
    st.session_state[f"w_{key}"] = st.session_state[key]
    make(key=f"w_{key}", on_change=_copy, args=(key,), **kwargs)


def render_controls() -> bool:
    """Draw the shared controls (none in screenshot mode), keep them in the URL; True when in screenshot mode."""
    try:
        admin = is_admin()  # first: a new account behind this session clears what the session held
    except SQLAlchemyError:
        admin = False  # the store's error is shown below
    given = _start_session()
    state = st.session_state
    try:
        url = data.db_url()
        version = data.data_version(url)
        plans = visible_plans(data.plans(url, version), admin) if version else []
        if state["plan"] not in {p.code for p in plans}:
            chosen = default_plan(plans, today())
            state["plan"] = chosen.code if chosen else None
        options = data.quarters(url, version, state["plan"]) if version and state["plan"] else []
    except SQLAlchemyError as error:  # broken setup: one clear line, never a traceback; escaped, it may quote input
        st.error(t("ui.store-error", state["lang"], error=plain(str(error).splitlines()[0][:200])))
        st.stop()
    if state["as_of"] not in options:
        state["as_of"] = options[-1] if options else None
    lang = state["lang"]
    for value in _unusable(given, options, [p.code for p in plans]):  # said, and the default shown
        st.info(t("ui.unknown-choice", lang, value=value))
    if not state["screenshot"]:
        with st.sidebar:
            _widget("lang", st.radio, label=t("ui.control.lang", lang), options=list(LANGS), horizontal=True,
                    format_func=lambda code: t(f"ui.lang.{code}", lang))
            if len(plans) > 1:
                named = {p.code: plan_label(p, lang, today()) for p in plans}
                _widget("plan", st.selectbox, label=t("ui.control.plan", lang), options=list(named),
                        format_func=lambda code: named[code])
            if options:
                _widget("as_of", st.selectbox, label=t("ui.control.as-of", lang), options=options,
                        format_func=lambda code: period_of_code(code).label(lang))
            _widget("screenshot", st.toggle, label=t("ui.control.screenshot", lang),
                    help=t("ui.control.screenshot-help", lang))
    print_assets(screen_css(lang), screen_words(lang))
    st.query_params.update({"lang": state["lang"], **({"plan": state["plan"]} if state["plan"] else {}),
                            **({"as_of": state["as_of"]} if state["as_of"] else {})})
    if state["screenshot"]:
        st.query_params["screenshot"] = "1"
        st.markdown(SCREENSHOT_CSS, unsafe_allow_html=True)
    elif "screenshot" in st.query_params:
        del st.query_params["screenshot"]
    return bool(state["screenshot"])


def screen_css(lang: str) -> str:
    """Streamlit's "Skip to main content" link (shown to a keyboard reader on the first Tab) in the reader's language
    (its English drawn at size 0, ours in its place); metric values sized to the window, so that a status such as
    ● 进度正常 fits its fifth of a 1366-pixel screen instead of ending in "…"."""
    words = json.dumps(t("screens.skip-to-content", lang), ensure_ascii=False)
    return (f'[data-testid="stSkipToContent"] {{font-size: 0}}\n'
            f'[data-testid="stSkipToContent"]::after {{content: {words}; font-size: 1rem}}\n'
            '[data-testid="stMetricValue"] {font-size: clamp(1.5rem, 2vw, 2.25rem)}')


def screen_words(lang: str) -> dict[str, str]:
    """Streamlit's and Plotly's own button names (English, or Chinese after a switch of language) → the reader's."""
    other = next(code for code in LANGS if code != lang)
    keys = [key for key in messages() if key.startswith("screens.st.")]
    return {t(key, language): t(key, lang) for key in keys for language in (other, "en")
            if t(key, language) != t(key, lang)}


def lang() -> str:
    return str(st.session_state.get("lang", DEFAULT_LANG))


def visible_plans(plans: list[PlanInfo], admin: bool) -> list[PlanInfo]:
    """The plans a reader may choose: drafts only for admins."""
    return [p for p in plans if admin or not p.draft]


def is_admin() -> bool:
    """Whether the signed-in account (if any) is an admin: they alone see draft plans."""
    user = current_user()
    return user is not None and user.has(ADMIN)


def plan_label(info: PlanInfo, lang: str, day: dt.date) -> str:
    """A plan in the selector, what tells plans apart first (a sidebar shows a name's first 20 characters): its years
    and its state in words (实施中, 已结束, 未开始, 草稿), then its name."""
    state = "draft" if info.draft else info.state(day)
    return t("ui.plan-label", lang, start=info.start_period.year, end=info.end_period.year,
             state=t(f"ui.plan-state.{state}", lang), name=name_of(info, lang))


def default_code(url: str, version: data.Version) -> str | None:
    """The plan a reader sees before choosing one: in force today with the latest start (else the latest ended)."""
    chosen = default_plan(visible_plans(data.plans(url, version), is_admin()), today())
    return chosen.code if chosen else None


# ---- page frame ------------------------------------------------------------------------------------------------

def open_view(title_key: str, *, plan_title: bool = False) -> View:
    """The page's context and header; a calm message and a stop when the store holds no plan yet."""
    view = open_optional_view(title_key, plan_title=plan_title)
    if view is None:
        st.info(t("ui.empty-store", lang()))
        st.stop()
    return view


def open_optional_view(title_key: str, *, plan_title: bool = False) -> View | None:
    """The page's context and header, or the title alone and None when the store holds no plan yet (for a page that
    can do without the store)."""
    state = st.session_state
    url, reader = data.db_url(), lang()
    version = data.data_version(url)
    code = state.get("plan") or (default_code(url, version) if version else None)
    stored = data.plan(url, version, code) if version and code else None
    if version is None or stored is None or not state.get("as_of"):
        st.title(t(title_key, reader))
        return None
    standing = data.standing(url, version, state["as_of"], stored.info.code)
    illustrative = shows_illustrative(standing.plan, data.submissions(url, version))
    view = View(reader, bool(state.get("screenshot")), url, version, standing, illustrative)
    render_header(view, name_of(view.plan.info, reader) if plan_title else t(title_key, reader), plan_title)
    return view


def render_header(view: View, heading: str, plan_title: bool) -> None:
    """Title, cut-off (截至…末), plan, data time, and the 示例 notice when illustrative figures are shown."""
    st.title(heading)
    parts = [f"**{view.as_of.cutoff_label(view.lang)}**"]
    if not plan_title:
        parts.append(name_of(view.plan.info, view.lang))
    parts.append(view.t("ui.data-time", time=format_time(view.version.last_approved_at or None)))
    if view.illustrative and view.screenshot:  # compact, but in the picture: a briefing screenshot travels alone
        parts.append(f":orange-background[⚠️ {view.t('ui.illustrative-badge')}]")
    st.markdown(" · ".join(parts))
    if view.illustrative and not view.screenshot:
        st.warning(view.t("ui.illustrative-notice"), icon="⚠️")
    if view.plan.info.state(today()) == "ended" and not view.screenshot:
        st.info(view.t("ui.plan-ended", end=view.plan.info.end_period.label(view.lang)))
    if data.latest(view.url, view.version, view.code) is None:
        st.info(view.t("ui.no-data-yet"))


def render_legend(view: View) -> None:
    """The rule in force, printed under every status view."""
    st.caption(legend(view.rule, view.lang).replace("\n", "  \n"))


def render_footer(view: View) -> None:
    """Source footnote: where the data comes from, its time, and the status rule (an ended plan at its end: the
    总结评估's rule, with its 基本完成 line)."""
    time = format_time(view.version.last_approved_at or None)
    if view.final:
        st.caption(view.t("ui.source-note-final", time=time, basic=format_rate(view.plan.info.basic_threshold)))
        return
    st.caption(view.t("ui.source-note", rule=rule_title(view.rule).text(view.lang), time=time))


def render_chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, config=CHART_CONFIG, key=key)


def render_html_chart(html: str) -> None:
    """A chart built as HTML (pipelines.present.charts.status_bar_html): drawn with the page's text, no chart code
    to wait for."""
    st.markdown(html, unsafe_allow_html=True)


def page_choice(view: View, name: str, options: list[str], label: str,
                format_func: Callable[[str], str]) -> str | None:
    """A page's own choice (?action=ZX2, ?code=A03): from the URL on the session's first visit, then kept in the
    session and the URL; a selectbox unless in screenshot mode. An unknown value gives a calm message (repeating it
    escaped, as typed) and None."""
    key = f"page_{name}"
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(name) or (options[0] if options else None)
    wanted = st.session_state[key]
    if wanted is not None and wanted not in options:
        st.info(view.t("ui.unknown-choice", value=echo(wanted)))
    if not view.screenshot:
        st.session_state[f"w_{key}"] = wanted if wanted in options else None
        st.selectbox(label, options, key=f"w_{key}", on_change=_copy, args=(key,), format_func=format_func,
                     placeholder=view.t("ui.control.choose"))
    chosen = st.session_state[key]
    if chosen not in options:
        return None
    st.query_params[name] = chosen
    return chosen
