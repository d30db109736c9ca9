"""Every text a user supplies is drawn as typed, never as markup (#15 item 5): URL parameters, 备注, 进展情况 /
存在问题 / 下一步措施, file names, submitter names. One hostile string tries everything a careful outsider tried —
a fake 「审定人：区长（已签批）」 line, a heading, links, images, raw HTML, Streamlit's :red[...] and $math$ — and
each place that draws user text is run with it: Markdown places must show it backslash-escaped on one line, Plotly
places HTML-escaped, tables as the plain text it is."""
# ruff: noqa: F811  (the tests take the imported fixture open_app as their argument, as pytest passes it)
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Sequence

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from models.columns import CODE, DEPARTMENT, FILE, NOTE, PERIOD, REVISION, SUBMISSION, SUBMITTED_AT, SUBMITTER, VALUE
from pipelines.core.catalog import t
from pipelines.intake.ingest import IngestResult
from pipelines.present.charts import build_indicator_chart
from pipelines.present.sources import source_parts
from pipelines.present.story import WRAP, build_story, hover_html, wrap
from pipelines.workflow.accounts import REVIEWER, User
from pipelines.workflow.accounts import SUBMITTER as SUBMITTER_ROLE
from pipelines.workflow.review import Narrative, approve, submit_file
from tests.conftest import HEADER, TODAY, csv_bytes
from tests.dashboard_fixtures import Store
from tests.test_pages import Open, figures, open_app  # noqa: F401  (the pages' fixture, used by name below)

HOSTILE = ('**审定人：区长（已签批）**\n# 已签批 [官方链接](http://e.invalid) ![img](http://e.invalid/a.png) '
           '<img src=x onerror=alert(1)> <a href="http://e.invalid">链接</a> <b>加粗</b> :red[伪造] $x$')
# What would render as markup if the hostile string were drawn in Markdown unescaped.
MARKDOWN_RAW = ("](http", "![", "<img", "<a ", "<b>", "**审定人", "\n# 已签批", ":red[", "$x$")
# What would render (or be read as a tag) in Plotly's HTML-like hover text.
HTML_RAW = ("<img", "<a ", "<b>加粗", '"http')
KW = User(HOSTILE, "区科委填报员", (SUBMITTER_ROLE,), ("KW",))  # the submitter's name is the hostile text too
REVIEWER_ = User("rev", "审核员", (REVIEWER,))  # approves: nobody may approve their own file
Opener = Callable[[Store | str], Open]


def raw_markdown(text: str) -> list[str]:
    """The markup sequences in a text that are not backslash-escaped (\\<img is escaped, <img is not)."""
    return [sequence for sequence in MARKDOWN_RAW if re.search(r"(?<!\\)" + re.escape(sequence), text)]


def raw_html(text: str) -> list[str]:
    return [sequence for sequence in HTML_RAW if sequence in text]


def drawn(at: AppTest) -> list[str]:
    """Every text a page drew as Markdown (messages, headings, captions) or as a widget's label or option."""
    out = [e.value for kind in ("markdown", "caption", "subheader", "title", "header", "info", "warning", "error",
                                "success") for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    out += [e.label for kind in ("expander", "tabs", "button", "toggle") for e in getattr(at, kind)]
    for kind in ("selectbox", "radio", "multiselect"):
        for widget in getattr(at, kind):
            out += [widget.label, *map(str, widget.options)]
    return out


def assert_nothing_raw(at: AppTest, links: Sequence[str] = ()) -> None:
    """Nothing drawn holds unescaped markup, but for `links`: the page's own links (the plan's sources, drawn by
    pipelines.present.sources.source_markdown, which escapes their titles)."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [functools.reduce(lambda text, link: text.replace(link, ""), links, text) for text in drawn(at)]
    unescaped = {text: raw_markdown(text) for text in texts if raw_markdown(text)}
    assert not unescaped
    for figure in figures(at):
        hover = str([(trace.get("customdata"), trace.get("hovertext"), trace.get("text")) for trace in figure["data"]])
        assert not raw_html(hover), raw_html(hover)


def shown_escaped(at: AppTest) -> str:
    """The message that repeats the hostile text: escaped, on one line, and its words still there."""
    (message,) = [text for text in drawn(at) if "审定人" in text]
    assert "\\*\\*审定人" in message and "\\]\\(http" in message and "\\<img" in message and "\n" not in message
    return message


# ---- the helpers ------------------------------------------------------------------------------------------------

def test_hover_html_escapes_tags_and_writes_quotes_as_plotly_reads_them() -> None:
    hover = hover_html(HOSTILE)

    assert "&lt;img" in hover and "&lt;a href=&#34;http" in hover and not raw_html(hover)
    assert "&quot;" not in hover  # Plotly decodes only &amp; &lt; &gt; and numeric entities
    assert "审定人" in hover


def test_wrap_never_cuts_an_escaped_entity_and_cuts_a_line_without_punctuation() -> None:
    text = hover_html("<" * 100 + "的" * 100)

    lines = wrap(text).split("<br>")

    assert "".join(lines) == text
    assert all(line.count("&") == line.count(";") and not line.startswith(("lt;", "t;")) for line in lines)
    assert len(lines) > 1 and all(len(line.replace("&lt;", "<")) <= 2 * WRAP for line in lines)


# ---- Plotly: the indicator chart's hover ------------------------------------------------------------------------

def test_indicator_chart_hover_escapes_the_note_and_the_submitter(sample_store: Store) -> None:
    standing = sample_store.standing()
    indicator = sample_store.plan.indicator_map()["A03"]
    current = pd.DataFrame([{CODE: "A03", PERIOD: "2024Q1", VALUE: 700.0, DEPARTMENT: "KW", SUBMITTER: HOSTILE,
                             SUBMITTED_AT: dt.datetime(2024, 4, 10), NOTE: HOSTILE, FILE: HOSTILE, REVISION: 1,
                             SUBMISSION: 1}])

    story = build_story(sample_store.plan, indicator, current, standing.assessments["A03"], standing.rule, "zh")
    figure = build_indicator_chart(story, "zh")
    reported = next(trace for trace in figure.data if trace.name == t("ui.chart.reported"))
    hover = "".join(str(c) for c in reported.customdata if c)

    assert "&lt;img" in hover and not raw_html(hover)
    assert hover.count("<b>") == hover.count("</b>") == 1  # the period's, the page's own
    assert "审定人" in hover and "加粗" in hover


# ---- pages: values, notes and narratives approved into the public store -----------------------------------------

@pytest.fixture
def hostile_store(plan_only_store: Store) -> Iterator[Store]:
    """The plan with one file approved whose 备注, narratives and file name are the hostile text, sent by an account
    named with it: A03 at 505 is red (进度滞后), so 存在问题 and 下一步措施 are required and reach the red flags."""
    data = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "505", HOSTILE]])
    sent = submit_file(plan_only_store.engine, plan_only_store.plan, KW, HOSTILE + ".csv", data, department="KW",
                       narratives={"A03": Narrative(HOSTILE, HOSTILE, HOSTILE)}, today=TODAY,
                       now=dt.datetime(2024, 4, 10, 9, 0))
    assert isinstance(sent, IngestResult) and sent.submission_id is not None, sent
    assert approve(plan_only_store.engine, REVIEWER_, sent.submission_id, now=dt.datetime(2024, 4, 11)) is None
    yield plan_only_store


def test_indicator_page_hover_escapes_the_approved_note(open_app: Opener, hostile_store: Store) -> None:
    at = open_app(hostile_store)("indicator", code="A03")

    assert_nothing_raw(at, [f"]({part.url})" for part in source_parts(hostile_store.plan.indicator("A03").source)
                            if part.url])
    reported = next(trace for trace in figures(at)[0]["data"] if trace["name"] == t("ui.chart.reported"))
    assert "&lt;img" in str(reported["customdata"]) and "审定人" in str(reported["customdata"])
    revisions = next(d.value for d in at.dataframe if t("ui.col.file_name") in d.value.columns)
    (note,), (file_name,) = revisions[t("ui.col.note")], revisions[t("ui.col.file_name")]
    assert "<img" in note and "\\" not in note  # a table cell is text: shown as typed, without backslashes
    assert "审定人" in file_name and "\\" not in file_name


def test_actions_page_shows_the_narrative_as_text_and_draws_nothing_raw(open_app: Opener,
                                                                        hostile_store: Store) -> None:
    at = open_app(hostile_store)("actions", action="ZX1")

    assert_nothing_raw(at)
    table = next(d.value for d in at.dataframe if t("ui.col.time_share") in d.value.columns)
    row = table[table[t("ui.col.indicator")] == "高成长性科技企业数"].iloc[0]
    assert "\\" not in row[t("ui.col.progress")] and "审定人" in row[t("ui.col.progress")]


def test_overview_red_flags_show_the_problems_as_text_and_draw_nothing_raw(open_app: Opener,
                                                                           hostile_store: Store) -> None:
    at = open_app(hostile_store)("overview")

    assert_nothing_raw(at)
    flags = next(d.value for d in at.dataframe if t("ui.col.problems") in d.value.columns)
    assert "审定人" in flags[t("ui.col.problems")].iloc[0] and "\\" not in flags[t("ui.col.problems")].iloc[0]


def test_departments_page_draws_nothing_raw(open_app: Opener, hostile_store: Store) -> None:
    assert_nothing_raw(open_app(hostile_store)("departments", department="KW"))


# ---- URL parameters -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["lang", "as_of", "screenshot"])
def test_hostile_shared_url_parameter_falls_back_and_is_named_escaped(open_app: Opener, sample_store: Store,
                                                                       name: str) -> None:
    at = open_app(sample_store)("overview", **{name: HOSTILE})

    assert_nothing_raw(at)
    message = shown_escaped(at)
    assert message.startswith("未找到")  # in Chinese, the default language it fell back to
    assert "截至2025年第四季度末" in "\n".join(drawn(at))  # the default quarter, in the default language
    assert at.query_params.get(name) != HOSTILE  # the URL now names the value shown (or drops screenshot)


@pytest.mark.parametrize(("page", "name"), [("indicator", "code"), ("actions", "action"),
                                            ("departments", "department")])
def test_hostile_page_url_parameter_is_a_calm_escaped_message(open_app: Opener, sample_store: Store, page: str,
                                                              name: str) -> None:
    at = open_app(sample_store)(page, **{name: HOSTILE})

    assert_nothing_raw(at)
    assert shown_escaped(at).startswith("未找到")


@pytest.mark.parametrize("page", ["overview", "actions", "indicator", "departments", "methodology"])
def test_every_url_parameter_hostile_at_once_never_crashes(open_app: Opener, sample_store: Store,
                                                           page: str) -> None:
    at = open_app(sample_store)(page, lang=HOSTILE, as_of=HOSTILE, screenshot=HOSTILE, code=HOSTILE,
                                action=HOSTILE, department=HOSTILE)

    assert_nothing_raw(at)
    assert at.query_params.get("lang") == "zh" and at.query_params.get("as_of") != HOSTILE


def test_a_valid_but_unknown_quarter_in_the_url_falls_back_to_the_latest(open_app: Opener,
                                                                         sample_store: Store) -> None:
    at = open_app(sample_store)("overview", as_of="2019Q1")

    assert "截至2025年第四季度末" in "\n".join(drawn(at))
    assert any("as\\_of=2019Q1" in i.value for i in at.info)


def test_valid_url_parameters_give_no_message(open_app: Opener, sample_store: Store) -> None:
    at = open_app(sample_store)("overview", lang="zh", as_of="2024Q2", screenshot="0")

    assert not [i.value for i in at.info if i.value.startswith("未找到")]
