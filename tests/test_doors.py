"""Bounded doors: what the server takes in and shows out, and who may make the briefing pack.

- .streamlit/config.toml: the upload limit equals the app's largest file (so the two cannot drift apart), and a
  failing script shows no error details;
- a real `streamlit run` server (benchmarks/serve.py) answers 413 to an upload over that limit, with or without a
  Content-Length, takes one under it, and sends a browser no exception message or traceback;
- the 季度简报 page (AppTest): nobody signed in gets the sign-in form and nothing of the pack, a leader or a reviewer
  gets the button, a submitter is refused; while another pack is being made the page says so and makes none; the
  files made stay in the session that made them.

The server tests speak Streamlit's own protocol, as the browser does: a WebSocket to /_stcore/stream (whose first
run names the session) and a PUT to /_stcore/upload_file/<session>/<file> with the XSRF token in a cookie and a
header. Nothing leaves the loopback interface.
"""
from __future__ import annotations

import math
import secrets
import textwrap
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import streamlit as st
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from benchmarks.serve import ServerError, serve
from models.db import make_engine
from pipelines.briefing import queue
from pipelines.core.catalog import t
from pipelines.core.config import PLAN_DIR, ROOT, SAMPLES_DIR, Limits
from pipelines.intake.build import build_store, load_samples
from pipelines.plan.records import PlanData
from pipelines.workflow.accounts import ensure_demo_accounts
from pipelines.workflow.evidence import MAX_EVIDENCE_BYTES
from tests.conftest import sign_in_browser, sign_in_link, sign_out_browser

CONFIG = ROOT / ".streamlit" / "config.toml"
MiB = 2**20
SECRET = "door-secret-7c1e"  # in the failing script's exception: it must reach the log, never the browser


def config() -> dict:
    with CONFIG.open("rb") as handle:
        return tomllib.load(handle)


# ---- config.toml -----------------------------------------------------------------------------------------------

def test_the_upload_limit_is_the_apps_largest_file_rounded_up_to_a_megabyte() -> None:
    largest = max(Limits().max_file_bytes, MAX_EVIDENCE_BYTES)

    assert config()["server"]["maxUploadSize"] == math.ceil(largest / MiB)  # Streamlit's MB are MiB


def test_a_failing_script_shows_no_error_details_and_the_light_theme_stays() -> None:
    assert config()["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value == "none"
    assert config()["theme"]["base"] == "light"


# ---- a real server ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    base: str  # "http://127.0.0.1:PORT/"
    log: Path


@dataclass(frozen=True)
class Session:
    id: str
    xsrf: str  # the token the browser sends as the _streamlit_xsrf cookie and the X-Xsrftoken header
    messages: list[ForwardMsg]  # what the server sent for the first run of the script


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`streamlit run` in the repository's folder (so with its .streamlit/config.toml) of a script that writes a line
    and then fails with SECRET in its message."""
    folder = tmp_path_factory.mktemp("doors-server")
    script = folder / "fails.py"
    script.write_text(textwrap.dedent(f"""
        import streamlit as st
        st.write("before the failure")
        raise RuntimeError("{SECRET}: a path, a query, a value")
    """), encoding="utf-8")
    log = folder / "streamlit.log"
    try:
        with serve(f"sqlite:///{folder / 'unused.sqlite3'}", log, app=str(script)) as base:
            yield Server(base, log)
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture
def session(server: Server) -> Iterator[Session]:
    """A browser's session, as Streamlit's frontend opens one: the WebSocket (kept open while the test runs, so the
    session stays active), then a first run of the script, whose messages name the session."""
    xsrf = secrets.token_hex(16)
    host = server.base.removeprefix("http://").rstrip("/")
    with connect(f"ws://{host}/_stcore/stream", subprotocols=[Subprotocol("streamlit"), Subprotocol(xsrf)],
                 additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}", "Origin": server.base.rstrip("/")},
                 open_timeout=30, max_size=None) as socket:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        socket.send(rerun.SerializeToString())
        messages: list[ForwardMsg] = []
        while not messages or messages[-1].WhichOneof("type") != "script_finished":
            message = ForwardMsg()
            message.ParseFromString(socket.recv(timeout=60))
            messages.append(message)
        session_id = next(m.new_session.initialize.session_id for m in messages if m.HasField("new_session"))
        yield Session(session_id, xsrf, messages)


def put(server: Server, session: Session, body: bytes | Iterator[bytes], **headers: str) -> int | str:
    """PUT to the session's upload endpoint; the HTTP status, or how the server cut the connection."""
    url = f"{server.base}_stcore/upload_file/{session.id}/file-{secrets.token_hex(4)}"
    try:
        response = requests.put(url, data=body, headers={"X-Xsrftoken": session.xsrf, **headers},
                                cookies={"_streamlit_xsrf": session.xsrf}, timeout=60)
    except requests.ConnectionError as error:  # refused mid-body: also a refusal
        return f"connection closed: {type(error).__name__}"
    return response.status_code


BOUNDARY = "doors-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(size: int) -> tuple[bytes, bytes, bytes]:
    """A file of `size` bytes as the browser's uploader sends it: head, content, tail of a multipart body."""
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    return head, b"a" * size, f"\r\n--{BOUNDARY}--\r\n".encode()


def limit_bytes() -> int:
    return int(config()["server"]["maxUploadSize"]) * MiB


@pytest.mark.slow
def test_the_server_takes_an_upload_under_the_limit(server: Server, session: Session) -> None:
    """The control: session, XSRF token and body are right, so the refusals below are for the size alone."""
    assert put(server, session, b"".join(multipart(limit_bytes() - 64 * 1024)), **{"Content-Type": MULTIPART}) == 204


@pytest.mark.slow
def test_the_server_refuses_an_upload_over_the_limit(server: Server, session: Session) -> None:
    """One byte over the app's 10 MB, far below Streamlit's default 200 MB: refused from its Content-Length."""
    assert put(server, session, b"".join(multipart(limit_bytes() + 1)), **{"Content-Type": MULTIPART}) == 413


@pytest.mark.slow
def test_the_server_refuses_an_oversized_upload_sent_without_a_length(server: Server, session: Session) -> None:
    """Chunked, with no Content-Length to judge by: the server stops reading once the body passes the limit."""
    head, _, tail = multipart(0)

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(limit_bytes() // MiB + 2):
            yield b"a" * MiB
        yield tail

    outcome = put(server, session, chunks(), **{"Content-Type": MULTIPART})

    assert outcome == 413 or str(outcome).startswith("connection closed"), outcome


@pytest.mark.slow
def test_a_failing_script_sends_the_browser_no_message_and_no_traceback(server: Server, session: Session) -> None:
    shown = [m.delta.new_element.exception for m in session.messages
             if m.HasField("delta") and m.delta.new_element.HasField("exception")]

    assert len(shown) == 1
    assert SECRET not in shown[0].message and "RuntimeError" not in shown[0].message
    assert list(shown[0].stack_trace) == []
    assert all(SECRET not in str(m) for m in session.messages)  # nowhere in what the browser received
    assert SECRET in server.log.read_text(errors="replace")  # the details are for whoever runs the server


# ---- the 季度简报 page -------------------------------------------------------------------------------------------

BRIEFING = str(ROOT / "views" / "screens" / "briefing.py")
GENERATE = "briefing-generate"
Open = Callable[[str | None], AppTest]


@pytest.fixture(scope="module")
def briefing_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shipped plan, the samples and the 演示账号 (a leader, a reviewer, submitters), built once for the module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('doors-store') / 'kpi.sqlite3'}"
    engine = make_engine(url)
    plan = build_store(engine, PLAN_DIR)
    assert isinstance(plan, PlanData), plan
    assert all(r.outcome != "rejected" for r in load_samples(engine, SAMPLES_DIR))
    ensure_demo_accounts(engine)
    engine.dispose()
    return url


@pytest.fixture
def open_briefing(briefing_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Open]:
    """Open the page as `username` (None: nobody signed in), with the controls' session values app.py would set."""
    monkeypatch.setenv("KPI_DB_URL", briefing_store)
    st.cache_data.clear()
    st.cache_resource.clear()

    def opening(username: str | None) -> AppTest:
        at = AppTest.from_file(BRIEFING, default_timeout=60)
        at.session_state["lang"], at.session_state["as_of"], at.session_state["screenshot"] = "zh", "2025Q4", False
        if username:
            sign_in_browser(username)
        else:
            sign_out_browser()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield opening
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """make_briefing replaced by a stand-in that writes three small files (no Chromium); the calls, by quarter."""
    calls: list[str] = []

    def make(engine: object, as_of: SimpleNamespace, out_dir: Path, lang: str = "zh",
             plan_code: str | None = None) -> SimpleNamespace:
        calls.append(as_of.code)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {kind: out_dir / f"pack.{kind}" for kind in ("pptx", "pdf", "docx")}
        for kind, path in paths.items():
            path.write_bytes(f"{kind} of {as_of.code}".encode())
        return SimpleNamespace(**paths, seconds={"total": 0.5})

    monkeypatch.setattr("pipelines.briefing.make_briefing", make)
    monkeypatch.setattr(queue, "WAIT_S", 0.05)  # a click waits this long for the slot
    return calls


def generate_buttons(at: AppTest) -> list[Button]:
    return [b for b in at.button if b.key == GENERATE]


def shown(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def test_briefing_page_not_signed_in_shows_the_sign_in_form_and_nothing_of_the_pack(open_briefing: Open) -> None:
    at = open_briefing(None)

    assert generate_buttons(at) == []
    assert t("briefing.sign-in-needed", "zh") in shown(at, "info")
    assert sign_in_link(at).startswith("/api/signin")  # the way to the sign-in page
    assert len(at.metric) == 0  # no preview: the figures of an internal document
    assert t("briefing.confidential", "zh") not in "\n".join(shown(at, "caption"))
    assert shown(at, "title") == [t("briefing.page-title", "zh")]


@pytest.mark.parametrize("username", ["demo-leader", "demo-reviewer", "demo-admin"])
def test_briefing_page_signed_in_as_a_leader_or_reviewer_offers_the_button(open_briefing: Open, username: str) -> None:
    at = open_briefing(username)

    assert [b.label for b in generate_buttons(at)] == ["生成简报"]
    # the preview's figures: the sample plan has ended by the tests' today, so completion and overdue (no pace light)
    assert [m.label for m in at.metric] == [t("ui.plan-completion", "zh"), t("ui.overdue", "zh")]
    assert any(t("briefing.confidential", "zh") in c for c in shown(at, "caption"))


def test_briefing_page_refuses_a_submitter(open_briefing: Open) -> None:
    at = open_briefing("demo-kw")

    assert generate_buttons(at) == []
    assert t("briefing.not-a-viewer", "zh") in shown(at, "warning")
    assert len(at.metric) == 0


def test_briefing_page_while_another_pack_is_being_made_says_so_and_makes_none(open_briefing: Open,
                                                                             made: list[str]) -> None:
    at = open_briefing("demo-leader")

    with queue.pack_slot(timeout=0) as held:  # another session's pack, being made
        assert held
        at.button(key=GENERATE).click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert t("briefing.busy", "zh") in shown(at, "warning")
    assert made == []
    assert len(at.get("download_button")) == 0


def test_briefing_page_makes_the_pack_in_the_slot_and_keeps_it_in_its_own_session(open_briefing: Open,
                                                                                 made: list[str]) -> None:
    at = open_briefing("demo-reviewer")
    at.button(key=GENERATE).click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert made == ["2025Q4"]
    assert len(at.get("download_button")) == 3
    assert not queue.pack_in_progress()  # the slot is free again
    assert len(open_briefing("demo-leader").get("download_button")) == 0  # another session: none of these files
