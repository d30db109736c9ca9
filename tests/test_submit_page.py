"""The 数据填报 and 审核 pages driven through AppTest against a fresh store: sign-in, valid upload → preview → send →
receipt → approve, return with a comment, invalid upload → problem tabs, a 核实性 item answered in the page, the
narrative required for a red indicator, bad files refused with a clear message, notes shown as text."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from conftest import HEADER, csv_bytes, new_store, png_bytes, sign_in_browser, sign_in_link, sign_out_browser
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from models.queries import read_current_values
from pipelines.core.config import ROOT
from pipelines.core.periods import period_of_code
from pipelines.plan.records import PlanData
from pipelines.workflow.accounts import ensure_demo_accounts
from pipelines.workflow.attempts import read_attempts

SUBMIT = str(ROOT / "views" / "screens" / "submit.py")
REVIEW = str(ROOT / "views" / "screens" / "review.py")
GOOD = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "700", "<script>alert(1)</script>"]])
RED = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "505", ""]])
JUMP = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "2100", ""]])
BROKEN = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "很多", ""], ["C05", "x", "2024Q1", "70", ""]])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, PlanData]]:
    engine, plan = new_store(tmp_path)
    ensure_demo_accounts(engine)
    monkeypatch.setenv("KPI_DB_URL", str(engine.url))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine, plan
    st.cache_data.clear()
    st.cache_resource.clear()
    engine.dispose()


Open = Callable[..., AppTest]


def open_page(path: str, username: str | None) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    if username:
        sign_in_browser(username)
    else:
        sign_out_browser()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="upload-0").set_value((name, data, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def current(engine: Engine) -> dict[tuple[str, str], float]:
    with engine.connect() as conn:
        frame = read_current_values(conn)
    return {(c, p): v for c, p, v in frame[["indicator_code", "period", "value"]].itertuples(index=False)}


def test_the_pages_send_a_visitor_to_the_sign_in_page_and_come_back(store: tuple[Engine, PlanData]) -> None:
    at = open_page(SUBMIT, None)
    assert sign_in_link(at).startswith("/api/signin?lang=zh&next=/")
    assert not at.get("file_uploader")


def test_valid_upload_preview_send_receipt_then_approve(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    preview = at.dataframe[0].value
    assert preview["指标编码"].tolist() == ["A03"] and preview["变动"].tolist() == ["新增"]
    assert preview["备注"].tolist() == ["<script>alert(1)</script>"]  # a note is data, shown as text

    at.button(key="send").click().run()
    receipt = texts(at, "success")[0]
    assert "报送编号：1" in receipt and "新增1条" in receipt
    assert current(engine) == {}
    history = at.dataframe[-1].value
    assert history["状态"].tolist() == ["待审核"]

    review = open_page(REVIEW, "demo-reviewer")
    assert review.dataframe[0].value["报送编号"].tolist() == [1]
    review.button(key="approve").click().run()
    assert not review.exception
    assert current(engine) == {("A03", "2024Q1"): 700.0}


def test_return_with_a_comment_the_department_sees(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.button(key="send").click().run()

    review = open_page(REVIEW, "demo-reviewer")
    review.text_area(key="return-comment").set_value("数值与认定名单不一致，请核对后重报")
    review.button(key="return").click().run()
    assert current(engine) == {}
    history = open_page(SUBMIT, "demo-kw").dataframe[-1].value
    assert history["状态"].tolist() == ["退回修改"]
    assert history["审核意见"].tolist() == ["数值与认定名单不一致，请核对后重报"]


def test_invalid_upload_lists_problems_in_two_tabs_with_excel_rows(store: tuple[Engine, PlanData]) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", BROKEN)

    assert [tab.label for tab in at.tabs] == ["强制性错误（2条）", "核实性问题（0条）"]
    hard = at.tabs[0].dataframe[0].value
    assert hard["行"].tolist() == ["2", "3"] and hard["填报值"].tolist() == ["很多", "C05"]
    assert "区人才办" in hard["问题及修改方法"].tolist()[1]
    assert [b.label for b in at.get("download_button")][-1].startswith("下载问题清单")
    assert not [b for b in at.button if b.key == "send"]
    at.run()  # the page runs again (e.g. a widget changed): the same upload is not logged twice
    with store[0].connect() as conn:
        attempts = read_attempts(conn)
    assert attempts[["department", "outcome", "file_name", "username"]].values.tolist() == [
        ["KW", "rejected", "kw.csv", "demo-kw"]]


def test_a_soft_check_answered_in_the_page(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", JUMP)
    assert at.tabs[1].label.startswith("核实性问题")
    at.text_input(key="explain-2").set_value("核实无误").run()
    at.button(key="recheck").click().run()
    assert at.text_input(key="explain-2")  # boilerplate: still asked

    at.text_input(key="explain-2").set_value("本季度集中认定两批企业，新增较多").run()
    assert not [b for b in at.button if b.key == "recheck"]
    at.button(key="send").click().run()
    assert "报送编号" in texts(at, "success")[0]
    with engine.connect() as conn:
        note = conn.execute(text("SELECT note FROM observation")).scalar_one()
    assert note == "本季度集中认定两批企业，新增较多"


def test_a_red_indicator_needs_its_narrative_before_sending(store: tuple[Engine, PlanData]) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", RED)
    assert any("将亮红灯" in w for w in texts(at, "warning"))
    at.button(key="send").click().run()
    assert any("存在问题" in e for e in texts(at, "error"))
    assert not [s for s in texts(at, "success") if "报送编号" in s]

    at.text_area(key="problems-A03").set_value("认定批次延后")
    at.text_area(key="next-A03").set_value("二季度集中开展认定")
    at.button(key="send").click().run()
    assert "报送编号" in texts(at, "success")[0]


@pytest.mark.parametrize("name, data, says", [
    ("macro.xlsm", b"PK\x03\x04 not really a workbook", "含宏"),
    ("big.csv", b"a" * (11 * 1024 * 1024), "10MB"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
])
def test_bad_files_are_refused_with_a_clear_message(store: tuple[Engine, PlanData], name: str, data: bytes,
                                                    says: str) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), name, data, "application/octet-stream")

    assert says in at.tabs[0].dataframe[0].value["问题及修改方法"].tolist()[0]


def test_a_leader_cannot_submit_and_a_submitter_cannot_review(store: tuple[Engine, PlanData]) -> None:
    assert any("没有填报权限" in w for w in texts(open_page(SUBMIT, "demo-leader"), "warning"))
    assert any("没有审核权限" in w for w in texts(open_page(REVIEW, "demo-kw"), "warning"))


def test_history_downloads_the_original_file_byte_for_byte(store: tuple[Engine, PlanData]) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.button(key="send").click().run()
    button = next(b for b in at.get("download_button") if b.proto.label == "下载所选报送的原始文件")

    assert button.proto.label
    with store[0].connect() as conn:
        assert bytes(conn.execute(text("SELECT content FROM submission WHERE id = 1")).scalar_one()) == GOOD


def test_board_shows_the_chase_list_and_the_grid_to_a_leader(store: tuple[Engine, PlanData]) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.button(key="send").click().run()

    board = open_page(str(ROOT / "views" / "screens" / "board.py"), "demo-leader")
    chase, rates, grid = (d.value for d in list(board.dataframe)[:3])  # the 重点任务's tables follow
    assert "区人才办" in chase["填报单位"].tolist()
    assert "区科委" in grid["填报单位"].tolist() and "及时率" in rates.columns
    assert any("已上报" in str(v) for v in grid[grid["填报单位"] == "区科委"].iloc[0].tolist())
    assert any("上传被拒" in c.value for c in board.caption)


def test_evidence_of_the_wrong_type_is_refused_and_a_real_image_is_kept(store: tuple[Engine, PlanData]) -> None:
    engine, _ = store
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.file_uploader(key="evidence-A03").set_value(("photo.png", b"<html>not an image</html>", "image/png")).run()
    at.button(key="send").click().run()
    assert any("不是图片" in e for e in texts(at, "error"))

    at.file_uploader(key="evidence-A03").set_value(("photo.png", png_bytes(), "image/png")).run()
    at.button(key="send").click().run()
    assert "报送编号" in texts(at, "success")[0]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT file_name, mime FROM evidence")).all() == [("photo.png", "image/png")]


def test_pages_name_the_plan_before_sign_in(store: tuple[Engine, PlanData]) -> None:
    for path in (SUBMIT, REVIEW, str(ROOT / "views" / "screens" / "board.py")):
        at = open_page(path, None)
        assert any("上海硅巷" in c for c in texts(at, "caption"))
        assert sign_in_link(at).startswith("/api/signin")
    assert any("没有查看权限" in w for w in texts(open_page(str(ROOT / "views" / "screens" / "board.py"), "demo-kw"),
                                              "warning"))


def test_approving_refreshes_the_dashboards_cached_values(store: tuple[Engine, PlanData]) -> None:
    from views.shared import data

    engine, _ = store
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.button(key="send").click().run()
    url = str(engine.url)
    version = data.data_version(url)
    assert data.store(url, version, "SHGX-2023")[1].empty  # type: ignore[index]

    open_page(REVIEW, "demo-reviewer").button(key="approve").click().run()
    after = data.data_version(url)
    assert after != version  # the decision changes the store's fingerprint, so every process re-reads
    assert data.store(url, after, "SHGX-2023")[1]["value"].tolist() == [700.0]  # type: ignore[index]


def test_an_admin_locks_and_unlocks_a_quarter_and_sees_its_history(store: tuple[Engine, PlanData]) -> None:
    at = open_page(REVIEW, "demo-admin")
    quarter = at.selectbox(key="lock-quarter").value
    at.button(key="lock").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="unlock").click().run()  # no reason given: refused, the quarter stays locked
    assert any("须写明原因" in e for e in texts(at, "error"))
    at.text_input(key="unlock-reason").set_value("简报口径更正，需重新汇报本季度").run()
    at.button(key="unlock").click().run()
    assert not at.exception, [e.value for e in at.exception]
    history = at.dataframe[-1].value
    assert history["操作"].tolist() == ["解除锁定", "锁定"]
    assert history["解除锁定原因"].tolist() == ["简报口径更正，需重新汇报本季度", ""]
    assert history["报告期"].tolist() == [period_of_code(quarter).label("zh")] * 2


def send_as(engine: Engine, plan: PlanData, username: str, data: bytes, **kw: object) -> int:
    """A file sent through the workflow as a signed-in account would send it; returns its 报送编号."""
    from conftest import TODAY

    from pipelines.intake.ingest import IngestResult
    from pipelines.workflow.accounts import read_user
    from pipelines.workflow.review import submit_file

    sent = submit_file(engine, plan, read_user(engine, username), "kw.csv", data, department="KW", today=TODAY,
                       **kw)  # type: ignore[arg-type]
    assert isinstance(sent, IngestResult) and sent.submission_id is not None, sent
    return sent.submission_id


def approve_as(engine: Engine, username: str, submission_id: int) -> None:
    from pipelines.workflow.accounts import read_user
    from pipelines.workflow.review import approve

    assert approve(engine, read_user(engine, username), submission_id) is None


def test_the_reviewer_sees_current_to_new_change_status_questions_and_the_original(
        store: tuple[Engine, PlanData], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, plan = store
    monkeypatch.setenv("KPI_TODAY", "2024-04-10")
    approve_as(engine, "demo-reviewer", send_as(engine, plan, "demo-kw", csv_bytes(
        [HEADER, ["A03", "x", "2024Q1", "700", ""]])))
    jump = csv_bytes([HEADER, ["A03", "x", "2024Q1", "2100", ""]])
    send_as(engine, plan, "demo-kw", jump, explanations={2: "本季度集中认定两批企业，新增较多"})

    review = open_page(REVIEW, "demo-reviewer")
    shown = review.dataframe[1].value
    row = shown.iloc[0]
    assert (row["当前值"], row["本次填报值"], row["变动幅度"]) == ("700", "2100", "+200.0%")
    assert "两倍" in row["核实性提示"] and row["备注"] == "本季度集中认定两批企业，新增较多"
    assert row["通过后状态"]  # the status once approved, icon and word
    assert any(b.proto.label == "下载原始文件" for b in review.get("download_button"))


def test_two_reviewers_one_file_the_second_click_is_refused_not_moved(store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    older = send_as(engine, plan, "demo-kw", csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""]]))
    newer = send_as(engine, plan, "demo-kw", csv_bytes([HEADER, ["A03", "x", "2024Q2", "720", ""]]))
    from pipelines.workflow.accounts import REVIEWER, VIEWER, add_user

    add_user(engine, "rev-b", "审核员乙", "审核员乙的口令Zq9", (REVIEWER, VIEWER))
    first = open_page(REVIEW, "demo-reviewer")
    assert first.selectbox(key="pick").value == newer  # newest first
    second = open_page(REVIEW, "rev-b")
    second.button(key="approve").click().run()
    assert not second.exception

    first.button(key="approve").click().run()  # the page still shows `newer`, decided meanwhile
    assert any("已不是待审核状态" in e for e in texts(first, "error"))
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT id, status FROM submission")).all())
    assert statuses == {older: "pending", newer: "approved"}


def test_the_reviewer_is_warned_of_another_pending_file_of_the_same_value(store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    older = send_as(engine, plan, "demo-kw", csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""]]))
    newer = send_as(engine, plan, "demo-kw", csv_bytes([HEADER, ["A03", "x", "2024Q1", "710", ""]]))

    review = open_page(REVIEW, "demo-reviewer")
    review.selectbox(key="pick").set_value(older).run()
    assert any(f"报送编号{newer}" in w for w in texts(review, "warning"))
    assert any("不能审核通过" in w for w in texts(review, "warning"))
    assert review.button(key="approve").disabled


def test_a_submitter_who_reviews_cannot_decide_their_own_file_in_the_page(store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    from pipelines.workflow.accounts import REVIEWER, SUBMITTER, add_user

    add_user(engine, "kw-both", "填报兼审核", "填报兼审核的口令Zq9", (SUBMITTER, REVIEWER), ("KW",))
    send_as(engine, plan, "kw-both", GOOD)
    review = open_page(REVIEW, "kw-both")
    assert review.button(key="approve").disabled and review.button(key="return").disabled
    assert any("须由其他审核人审核" in i for i in texts(review, "info"))


def test_the_department_sees_the_whole_return_comment_and_withdraws_a_pending_file(
        store: tuple[Engine, PlanData]) -> None:
    engine, plan = store
    first = send_as(engine, plan, "demo-kw", GOOD)
    from pipelines.workflow.accounts import read_user
    from pipelines.workflow.review import return_submission

    comment = "2024Q1数值与区级认定名单不一致，请核对后重报 [详情](http://example.invalid) ![x](http://e.invalid/a.png)"
    assert return_submission(engine, read_user(engine, "demo-reviewer"), first, comment) is None
    second = send_as(engine, plan, "demo-kw", csv_bytes([HEADER, ["A03", "x", "2024Q1", "705", ""]]))

    at = open_page(SUBMIT, "demo-kw")
    notice = next(w for w in texts(at, "warning") if "退回修改" in w)
    assert "请核对后重报" in notice and "\\[详情\\]\\(http" in notice  # whole, and drawn as text, not as a link
    at.button(key="withdraw").click().run()
    assert any(f"报送{second}已撤回" in s for s in texts(at, "success"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM submission WHERE id = :i"), {"i": second}).scalar() == "withdrawn"


def test_the_same_file_again_is_named_in_the_preview_without_a_send_button(store: tuple[Engine, PlanData]) -> None:
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", GOOD)
    at.button(key="send").click().run()
    again = upload(open_page(SUBMIT, "demo-kw"), "kw-again.csv", GOOD)

    assert any("报送编号1（待审核）完全相同" in w for w in texts(again, "warning"))
    assert not [b for b in again.button if b.key == "send"]


def test_blank_values_are_left_out_and_the_preview_says_how_many(store: tuple[Engine, PlanData]) -> None:
    partly = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""], ["A06", "x", "2024Q1", "", ""],
                        ["A03", "x", "2023Q4", "", ""]])
    at = upload(open_page(SUBMIT, "demo-kw"), "kw.csv", partly)

    assert any("有2行“数值”留空" in i for i in texts(at, "info"))
    assert at.dataframe[0].value["指标编码"].tolist() == ["A03"]
