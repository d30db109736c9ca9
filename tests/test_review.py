"""The browser flow's server side: a sent file waits as 待审核 until approved, a returned one never becomes current,
a submitter cannot send another department's indicator, a locked quarter needs an admin, a red indicator needs its
narrative, evidence is type- and size-checked, and the file plus narrative and evidence are kept together."""
from __future__ import annotations

import datetime as dt

from conftest import HEADER, TODAY, csv_bytes, png_bytes
from sqlalchemy import Engine, text

from models.queries import read_current_values
from models.submissions import read_evidence_list, read_lock_events, read_narratives, read_submission_list
from pipelines.core.columns import CHANGE, CODE, PERIOD
from pipelines.intake.ingest import ACCEPTED, IngestResult
from pipelines.plan.records import PlanData
from pipelines.workflow.accounts import ADMIN, REVIEWER, SUBMITTER, Refusal, User
from pipelines.workflow.review import (
    EvidenceFile,
    Narrative,
    Preview,
    approve,
    lock_quarter,
    preview_file,
    return_submission,
    submit_file,
    unlock_quarter,
    withdraw,
)

KW = User("kw", "区科委填报员", (SUBMITTER,), ("KW",))
REVIEWER_ = User("rev", "审核员", (REVIEWER,))
ADMIN_ = User("adm", "管理员", (ADMIN,))
PNG = png_bytes()
GOOD = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "700", ""]])
RED = csv_bytes([HEADER, ["A03", "高成长性科技企业数", "2024Q1", "505", ""]])


def current_a03(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        frame = read_current_values(conn, ["A03"])
    return dict(zip(frame["period"], frame["value"]))


def send(engine: Engine, plan: PlanData, data: bytes = GOOD, user: User = KW, **kw: object) -> object:
    return submit_file(engine, plan, user, "kw.csv", data, department=kw.pop("department", "KW"), today=TODAY, **kw)  # type: ignore[arg-type]


def test_submit_is_pending_until_approved(engine: Engine, plan: PlanData) -> None:
    result = send(engine, plan)

    assert isinstance(result, IngestResult) and result.outcome == ACCEPTED
    assert current_a03(engine) == {}
    with engine.connect() as conn:
        assert read_submission_list(conn, ["KW"])["status"].tolist() == ["pending"]
    assert approve(engine, REVIEWER_, result.submission_id) is None
    assert current_a03(engine) == {"2024Q1": 700.0}


def test_returned_submission_never_becomes_current_and_keeps_the_comment(engine: Engine, plan: PlanData) -> None:
    result = send(engine, plan)
    assert isinstance(result, IngestResult)

    assert return_submission(engine, REVIEWER_, result.submission_id, "无").check == "return-needs-comment"  # type: ignore[union-attr]
    assert return_submission(engine, REVIEWER_, result.submission_id, "2024Q1数值与统计台账不符，请核对") is None
    assert current_a03(engine) == {}
    with engine.connect() as conn:
        row = read_submission_list(conn, ["KW"]).iloc[0]
    assert (row["status"], row["comment"]) == ("returned", "2024Q1数值与统计台账不符，请核对")
    assert approve(engine, REVIEWER_, result.submission_id).check == "not-pending"  # type: ignore[union-attr]


def test_submitter_cannot_send_another_departments_indicator(engine: Engine, plan: PlanData) -> None:
    rcb_row = csv_bytes([HEADER, ["C05", "人才", "2024Q1", "70", ""]])

    as_kw = send(engine, plan, rcb_row)
    assert isinstance(as_kw, Preview) and [i.check for i in as_kw.hard] == ["wrong-department"]
    claiming_rcb = send(engine, plan, rcb_row, department="RCB")
    assert isinstance(claiming_rcb, Refusal) and claiming_rcb.check == "not-your-department"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 0


def test_only_a_reviewer_approves(engine: Engine, plan: PlanData) -> None:
    result = send(engine, plan)
    assert isinstance(result, IngestResult)

    assert approve(engine, KW, result.submission_id).check == "not-a-reviewer"  # type: ignore[union-attr]
    assert approve(engine, None, result.submission_id).check == "not-signed-in"  # type: ignore[union-attr]
    assert current_a03(engine) == {}


def test_a_locked_quarter_needs_an_admin(engine: Engine, plan: PlanData) -> None:
    assert lock_quarter(engine, REVIEWER_, "2024Q1").check == "not-an-admin"  # type: ignore[union-attr]
    assert lock_quarter(engine, ADMIN_, "2024Q1") is None

    refused = send(engine, plan)
    assert isinstance(refused, Refusal) and refused.check == "quarter-locked"
    assert "2024年第一季度" in refused.message() and "2024Q1" not in refused.message()  # periods in words
    by_admin = send(engine, plan, user=ADMIN_)
    assert isinstance(by_admin, IngestResult) and by_admin.outcome == ACCEPTED
    assert approve(engine, REVIEWER_, by_admin.submission_id).check == "quarter-locked"  # type: ignore[union-attr]
    assert approve(engine, User("adm2", "另一管理员", (ADMIN,)), by_admin.submission_id) is None
    assert current_a03(engine) == {"2024Q1": 700.0}


def test_an_admin_unlocks_a_quarter_with_a_reason_and_submitters_may_send_for_it_again(
        engine: Engine, plan: PlanData) -> None:
    assert lock_quarter(engine, ADMIN_, "2024Q1", now=dt.datetime(2024, 5, 1, 9)) is None
    assert isinstance(send(engine, plan), Refusal)
    reason = "2024年一季度简报需按更正后的统计口径重新汇报"

    assert unlock_quarter(engine, REVIEWER_, "2024Q1", reason).check == "not-an-admin"  # type: ignore[union-attr]
    assert unlock_quarter(engine, ADMIN_, "2024H1", reason).check == "bad-quarter"  # type: ignore[union-attr]
    assert unlock_quarter(engine, ADMIN_, "2024Q2", reason).check == "not-locked"  # type: ignore[union-attr]
    assert unlock_quarter(engine, ADMIN_, "2024Q1", "无").check == "unlock-needs-reason"  # type: ignore[union-attr]
    assert unlock_quarter(engine, ADMIN_, "2024Q1", reason, now=dt.datetime(2024, 5, 8, 10)) is None
    sent = send(engine, plan)
    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        history = read_lock_events(conn)
    assert history.drop(columns="at").values.tolist() == [["2024Q1", "unlock", "adm", reason],
                                                          ["2024Q1", "lock", "adm", ""]]
    assert [str(a)[:16] for a in history["at"]] == ["2024-05-08 10:00", "2024-05-01 09:00"]


def test_a_red_indicator_needs_problems_and_next_steps(engine: Engine, plan: PlanData) -> None:
    preview = preview_file(engine, plan, KW, "kw.csv", RED, department="KW", today=TODAY)
    assert isinstance(preview, Preview) and preview.red == ("A03",)

    refused = send(engine, plan, RED, narratives={"A03": Narrative(progress="推进中")})
    assert isinstance(refused, Refusal) and refused.check == "red-needs-narrative"
    narrative = Narrative("新增认定企业较少", "认定批次延后", "二季度集中开展认定")
    sent = send(engine, plan, RED, narratives={"A03": narrative})
    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        stored = read_narratives(conn, sent.submission_id)
    assert stored.values.tolist() == [["A03", "2024Q1", "新增认定企业较少", "认定批次延后", "二季度集中开展认定"]]


def test_evidence_is_type_and_size_checked_and_stored_with_the_file(engine: Engine, plan: PlanData) -> None:
    fake = EvidenceFile("A03", "photo.png", b"MZ\x90\x00 not an image")
    assert send(engine, plan, evidence=[fake]).check == "evidence-bad-type"  # type: ignore[union-attr]
    huge = EvidenceFile("A03", "big.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024))
    assert send(engine, plan, evidence=[huge]).check == "evidence-too-large"  # type: ignore[union-attr]

    sent = send(engine, plan, evidence=[EvidenceFile("A03", "photo.png", PNG)])
    assert isinstance(sent, IngestResult)
    with engine.connect() as conn:
        assert read_evidence_list(conn, sent.submission_id)[["file_name", "mime"]].values.tolist() == [
            ["photo.png", "image/png"]]


def test_an_older_file_is_not_approved_over_a_newer_value(engine: Engine, plan: PlanData) -> None:
    first = send(engine, plan)
    second = send(engine, plan, csv_bytes([HEADER, ["A03", "x", "2024Q1", "720", ""]]))
    assert isinstance(first, IngestResult) and isinstance(second, IngestResult)

    stale = approve(engine, REVIEWER_, first.submission_id)  # the newer file still waits
    assert isinstance(stale, Refusal) and stale.check == "newer-submission"
    assert f"报送编号{second.submission_id}" in stale.message()
    assert approve(engine, REVIEWER_, second.submission_id, now=dt.datetime(2024, 4, 2)) is None
    assert approve(engine, REVIEWER_, first.submission_id, now=dt.datetime(2024, 4, 3)).check == "newer-submission"  # type: ignore[union-attr]
    assert current_a03(engine) == {"2024Q1": 720.0}  # the newer value stays current
    assert return_submission(engine, REVIEWER_, first.submission_id, "已有更新的报送，本次作废") is None


def test_after_the_newer_file_is_returned_the_older_one_may_be_approved(engine: Engine, plan: PlanData) -> None:
    first = send(engine, plan)
    second = send(engine, plan, csv_bytes([HEADER, ["A03", "x", "2024Q1", "720", ""]]))
    assert isinstance(first, IngestResult) and isinstance(second, IngestResult)

    assert return_submission(engine, REVIEWER_, second.submission_id, "720与台账不符，请核对") is None
    assert approve(engine, REVIEWER_, first.submission_id) is None
    assert current_a03(engine) == {"2024Q1": 700.0}


def test_nobody_decides_a_file_they_sent_admins_included(engine: Engine, plan: PlanData) -> None:
    both = User("kwrev", "填报兼审核", (SUBMITTER, REVIEWER), ("KW",))
    mine = send(engine, plan, user=both)
    by_admin = send(engine, plan, csv_bytes([HEADER, ["A03", "x", "2024Q2", "720", ""]]), user=ADMIN_)
    assert isinstance(mine, IngestResult) and isinstance(by_admin, IngestResult)

    assert approve(engine, both, mine.submission_id).check == "own-submission"  # type: ignore[union-attr]
    assert return_submission(engine, both, mine.submission_id, "自己退回自己").check == "own-submission"  # type: ignore[union-attr]
    assert approve(engine, ADMIN_, by_admin.submission_id).check == "own-submission"  # type: ignore[union-attr]
    assert current_a03(engine) == {}
    assert approve(engine, REVIEWER_, mine.submission_id) is None
    assert approve(engine, both, by_admin.submission_id) is None


def test_a_decision_on_a_file_someone_else_decided_first_is_refused(engine: Engine, plan: PlanData) -> None:
    shown = send(engine, plan)
    other = send(engine, plan, csv_bytes([HEADER, ["A03", "x", "2024Q2", "720", ""]]))
    assert isinstance(shown, IngestResult) and isinstance(other, IngestResult)
    second_reviewer = User("rev2", "审核员二", (REVIEWER,))

    assert return_submission(engine, second_reviewer, shown.submission_id, "请补充佐证材料") is None
    late = approve(engine, REVIEWER_, shown.submission_id)
    assert isinstance(late, Refusal) and late.check == "not-pending"
    assert "退回修改" in late.message() and "Returned" in late.message("en")
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT id, status FROM submission")).all())
    assert statuses == {shown.submission_id: "returned", other.submission_id: "pending"}  # the other one untouched


def test_a_department_withdraws_a_pending_file_and_may_send_it_again(engine: Engine, plan: PlanData) -> None:
    sent = send(engine, plan)
    assert isinstance(sent, IngestResult)
    rcb = User("rcb", "区人才办填报员", (SUBMITTER,), ("RCB",))

    assert withdraw(engine, rcb, sent.submission_id).check == "not-your-department"  # type: ignore[union-attr]
    assert withdraw(engine, None, sent.submission_id).check == "not-signed-in"  # type: ignore[union-attr]
    assert withdraw(engine, KW, sent.submission_id) is None
    assert withdraw(engine, KW, sent.submission_id).check == "not-pending"  # type: ignore[union-attr]
    assert approve(engine, REVIEWER_, sent.submission_id).check == "not-pending"  # type: ignore[union-attr]
    assert current_a03(engine) == {}
    again = send(engine, plan)
    assert isinstance(again, IngestResult) and again.outcome == ACCEPTED


def test_an_explanation_given_in_the_page_is_kept_as_the_values_note(engine: Engine, plan: PlanData) -> None:
    jump = csv_bytes([HEADER, ["A03", "x", "2024Q1", "2100", ""]])
    refused = send(engine, plan, jump)
    assert isinstance(refused, Preview) and {i.row for i in refused.soft} == {2}

    sent = send(engine, plan, jump, explanations={2: "本季度集中认定两批企业，新增较多"})
    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        note = conn.execute(text("SELECT note FROM observation WHERE submission_id = :i"),
                            {"i": sent.submission_id}).scalar_one()
    assert note == "本季度集中认定两批企业，新增较多"


def test_the_same_file_again_is_named_in_the_preview_and_refused(engine: Engine, plan: PlanData) -> None:
    first = send(engine, plan)
    assert isinstance(first, IngestResult)

    preview = preview_file(engine, plan, KW, "again.csv", GOOD, department="KW", today=TODAY)
    assert isinstance(preview, Preview) and preview.identical == (first.submission_id, "pending")
    assert not preview.accepted
    again = send(engine, plan)
    assert isinstance(again, Refusal) and again.check == "identical-file"
    assert f"报送编号{first.submission_id}（待审核）" in again.message()
    return_submission(engine, REVIEWER_, first.submission_id, "请补充佐证材料后重新上报")
    returned = send(engine, plan)  # a returned file is to be corrected, not sent again as it was
    assert isinstance(returned, Refusal) and "退回修改" in returned.message()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 1


def test_two_sends_of_one_file_at_once_make_one_submission(engine: Engine, plan: PlanData) -> None:
    """Both sends pass the preview before either holds the write lock; the second is refused inside it."""
    import pipelines.workflow.review as review

    previews: list[object] = []
    real = review.preview_file

    def both_preview_first(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        previews.append(result)
        if len(previews) == 1:
            assert isinstance(send(engine, plan), IngestResult)  # the other send lands meanwhile
        return result

    review.preview_file = both_preview_first  # type: ignore[assignment]
    try:
        late = send(engine, plan)
    finally:
        review.preview_file = real
    assert isinstance(late, Refusal) and late.check == "identical-file"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 1


def test_a_blank_value_is_left_out_and_counted(engine: Engine, plan: PlanData) -> None:
    partly = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""], ["A03", "x", "2024Q2", "", "待统计"],
                        ["A06", "x", "2024Q1", " ", ""]])
    preview = preview_file(engine, plan, KW, "kw.csv", partly, department="KW", today=TODAY)
    assert isinstance(preview, Preview) and preview.accepted and preview.skipped == 2
    assert preview.rows[[CODE, PERIOD]].values.tolist() == [["A03", "2024Q1"]]
    sent = send(engine, plan, partly)
    assert isinstance(sent, IngestResult) and sent.counts["skipped"] == 2 and sent.counts["new"] == 1

    nothing = csv_bytes([HEADER, ["A03", "x", "2024Q3", "", ""], ["A06", "x", "2024Q1", "", "待统计"]])
    empty = send(engine, plan, nothing)
    assert isinstance(empty, Preview) and [i.check for i in empty.hard] == ["no-values"]


def test_a_resend_with_a_blank_note_keeps_the_earlier_note(engine: Engine, plan: PlanData) -> None:
    noted = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", "含新认定企业12家"]])
    first = send(engine, plan, noted)
    assert isinstance(first, IngestResult)
    approve(engine, REVIEWER_, first.submission_id)

    resend = csv_bytes([HEADER, ["A03", "x", "2024Q1", "700", ""], ["A03", "x", "2024Q2", "720", ""]])
    preview = preview_file(engine, plan, KW, "kw.csv", resend, department="KW", today=TODAY)
    assert isinstance(preview, Preview)
    assert preview.rows[CHANGE].tolist() == ["unchanged", "new"]
    sent = send(engine, plan, resend)
    assert isinstance(sent, IngestResult)
    approve(engine, REVIEWER_, sent.submission_id)
    with engine.connect() as conn:
        current = read_current_values(conn, ["A03"])
    assert current[["period", "value", "note"]].values.tolist() == [["2024Q1", 700.0, "含新认定企业12家"],
                                                                    ["2024Q2", 720.0, ""]]


def test_an_explanation_given_in_the_page_joins_the_file_note_once(engine: Engine, plan: PlanData) -> None:
    from models.queries import read_current_values

    jump = csv_bytes([HEADER, ["A03", "x", "2024Q1", "2100", "口径调整"]])
    sent = send(engine, plan, jump, explanations={2: "新认定高成长企业一批（区级名单）"})
    assert not isinstance(sent, Preview), sent
    approve(engine, REVIEWER_, sent.submission_id, now=dt.datetime(2024, 4, 2))
    with engine.connect() as conn:
        notes = read_current_values(conn, ["A03"])["note"].tolist()
    assert notes == ["口径调整；新认定高成长企业一批（区级名单）"]


def test_what_a_department_writes_for_a_red_value_reaches_the_red_flags_and_the_tongbao(
        engine: Engine, plan: PlanData) -> None:
    from pipelines.briefing import read_content
    from pipelines.core.periods import period_of_code
    from pipelines.present.tables import NEXT_STEPS, PROBLEMS, red_flags
    from pipelines.store.standings import read_standing

    narrative = Narrative("新增认定企业较少", "认定批次延后至二季度", "二季度集中开展两批认定")
    sent = send(engine, plan, RED, narratives={"A03": narrative})
    assert isinstance(sent, IngestResult)
    assert approve(engine, REVIEWER_, sent.submission_id) is None
    with engine.connect() as conn:
        from models.queries import read_value_narratives

        narratives = read_value_narratives(conn)
    standing = read_standing(engine, period_of_code("2024Q1"))
    assert standing is not None

    from models.queries import read_current_narratives
    from pipelines.present.tables import narratives_of, red_keys

    with engine.connect() as conn:
        told = read_current_narratives(conn, red_keys(standing))
    assert told == narratives_of(standing.current, narratives, red_keys(standing))  # the narrow read = the full one
    flags = red_flags(standing, "zh", told)
    row = flags[flags["indicator_code"] == "A03"].iloc[0]
    assert (row[PROBLEMS], row[NEXT_STEPS]) == ("认定批次延后至二季度", "二季度集中开展两批认定")
    content = read_content(engine, period_of_code("2024Q1"), "zh", today=TODAY)
    assert content is not None
    assert any("认定批次延后至二季度" in p and "二季度集中开展两批认定" in p for p in content.problems)


def test_the_reporter_and_phone_of_the_template_header_are_kept_beside_the_account(
        engine: Engine, plan: PlanData) -> None:
    from models.submissions import read_submission_header

    headed = csv_bytes([["填报单位：区科委"], ["填报人：王芳", "联系电话：021-62345678"], HEADER,
                        ["A03", "x", "2024Q1", "700", ""]])
    sent = send(engine, plan, headed)
    assert isinstance(sent, IngestResult)
    with engine.connect() as conn:
        header = read_submission_header(conn, sent.submission_id)
    assert header is not None
    assert (header["submitter"], header["reporter"], header["reporter_phone"]) == ("kw", "王芳", "021-62345678")


def test_a_very_long_file_name_is_shortened_for_storage_and_kept_whole(engine: Engine, plan: PlanData) -> None:
    from models.queries import read_submission_file
    from models.submissions import read_submission_header

    name = "区科委" + "上海硅巷建设指标季报" * 30 + ".csv"  # 306 characters
    sent = submit_file(engine, plan, KW, name, GOOD, department="KW", today=TODAY,
                       evidence=[EvidenceFile("A03", "照片" * 150 + ".png", PNG)])
    assert isinstance(sent, IngestResult) and sent.outcome == ACCEPTED
    with engine.connect() as conn:
        header = read_submission_header(conn, sent.submission_id)
        original = read_submission_file(conn, sent.submission_id)
        evidence = conn.execute(text("SELECT file_name, original_name FROM evidence")).one()
    assert header is not None and original is not None
    assert len(str(header["file_name"])) == 255 and str(header["file_name"]).endswith("….csv")
    assert header["original_name"] == name and original[1] == GOOD
    assert len(evidence[0]) == 255 and evidence[0].endswith("….png") and evidence[1] == "照片" * 150 + ".png"


def test_a_narrative_of_a_value_revised_since_is_no_longer_read_as_current(engine: Engine, plan: PlanData) -> None:
    """What was written for a value that a newer approved file replaced speaks of the old value: not shown."""
    from models.queries import read_current_narratives

    narrative = Narrative("新增认定企业较少", "认定批次延后至二季度", "二季度集中开展两批认定")
    sent = send(engine, plan, RED, narratives={"A03": narrative})
    assert isinstance(sent, IngestResult)
    assert approve(engine, REVIEWER_, sent.submission_id) is None
    period = "2024Q1"  # RED's period
    with engine.connect() as conn:
        assert read_current_narratives(conn, [("A03", period)]) == {
            ("A03", period): (narrative.progress, narrative.problems, narrative.next_steps)}
    again = send(engine, plan, csv_bytes([HEADER, ["A03", "x", period, "880", ""]]))
    assert isinstance(again, IngestResult)
    assert approve(engine, REVIEWER_, again.submission_id) is None
    with engine.connect() as conn:
        assert read_current_narratives(conn, [("A03", period)]) == {}
        assert read_current_narratives(conn, [("A05", "2024")]) == {}  # no narrative at all for the code
