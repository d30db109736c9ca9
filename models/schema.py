"""The store's tables: the plans as loaded (indicator series shared, targets per plan), departments' submissions
with their original files, and revisioned values of the series."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Code = Annotated[str, mapped_column(String(40))]
Name = Annotated[str, mapped_column(String(200))]
LongText = Annotated[str, mapped_column(Text, default="")]


class Base(DeclarativeBase):
    pass


class Plan(Base):
    """One action plan (a cycle such as 2023–2025, or a bridge plan beside two): the store holds several."""

    __tablename__ = "plan"
    code: Mapped[Code] = mapped_column(primary_key=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    start_period: Mapped[str] = mapped_column(String(10))
    end_period: Mapped[str] = mapped_column(String(10))
    status_rule: Mapped[str] = mapped_column(String(40), default="ratio")
    thresholds_json: Mapped[LongText]
    due_days: Mapped[int] = mapped_column(Integer, default=15)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    draft: Mapped[bool] = mapped_column(default=False, server_default=false())  # seen by admins only (0010)
    folder: Mapped[str] = mapped_column(String(200), default="", server_default="")  # loaded from (0010)
    basic_threshold: Mapped[float] = mapped_column(Float, default=0.9, server_default="0.9")  # 基本完成 (0011)


class Department(Base):
    """A department, shared by every plan (a later load updates its names)."""

    __tablename__ = "department"
    code: Mapped[Code] = mapped_column(primary_key=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    position: Mapped[int] = mapped_column(Integer, default=0)


class PlanDepartment(Base):
    """The departments a plan names, in its order."""

    __tablename__ = "plan_department"
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Goal(Base):
    """A plan's main goal: its code belongs to the plan (two plans may both have G1)."""

    __tablename__ = "plan_goal"
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[Code] = mapped_column(primary_key=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    position: Mapped[int] = mapped_column(Integer, default=0)


class Action(Base):
    """A plan's special action (专项行动): its code belongs to the plan."""

    __tablename__ = "plan_action"
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[Code] = mapped_column(primary_key=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    description_zh: Mapped[LongText]
    position: Mapped[int] = mapped_column(Integer, default=0)


class SubItem(Base):
    """A plan's sub-item (子项) under one of its actions."""

    __tablename__ = "plan_sub_item"
    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "action_code"], ["plan_action.plan_code", "plan_action.code"]),
    )
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[Code] = mapped_column(primary_key=True)
    action_code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    lead_department: Mapped[str] = mapped_column(ForeignKey("department.code"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Indicator(Base):
    """An indicator series: one code, its values, unit, kind, direction, frequency and owner, whichever plans target
    it (plan_indicator holds each plan's baseline and target). Values, narratives and evidence belong to the series."""

    __tablename__ = "indicator"
    code: Mapped[Code] = mapped_column(primary_key=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    unit: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    department: Mapped[str] = mapped_column(ForeignKey("department.code"))
    supporting_departments: Mapped[str] = mapped_column(String(200), default="")
    frequency: Mapped[str] = mapped_column(String(12))
    definition_zh: Mapped[LongText]


class PlanIndicator(Base):
    """One plan's target of a series: where the plan places it, its baseline (a number, or `final`: the continued
    series' approved value at baseline_period, resolved when read), its target, source and lineage."""

    __tablename__ = "plan_indicator"
    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "sub_item_code"], ["plan_sub_item.plan_code", "plan_sub_item.code"]),
    )
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    sub_item_code: Mapped[str] = mapped_column(String(40))
    goal_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    definition_zh: Mapped[LongText]
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: `final`
    baseline_final: Mapped[bool] = mapped_column(default=False)
    baseline_period: Mapped[str] = mapped_column(String(10))
    target: Mapped[float] = mapped_column(Float)
    target_period: Mapped[str] = mapped_column(String(10))
    source: Mapped[LongText]
    illustrative: Mapped[bool] = mapped_column(default=False)
    lineage: Mapped[str] = mapped_column(String(12), default="")
    continues: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Submission(Base):
    """One accepted file: who sent it, when, its exact bytes, and what it changed."""

    __tablename__ = "submission"
    # which files count, and the newest of them, without reading past the files' bytes (0013)
    __table_args__ = (Index("ix_submission_status_time", "status", "submitted_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    department: Mapped[str | None] = mapped_column(ForeignKey("department.code"), nullable=True)
    submitter: Mapped[str | None] = mapped_column(String(100), nullable=True)
    channel: Mapped[str] = mapped_column(String(20), default="cli")
    status: Mapped[str] = mapped_column(String(20), default="approved")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # the store's version asks for the latest
    n_new: Mapped[int] = mapped_column(Integer, default=0)
    n_revised: Mapped[int] = mapped_column(Integer, default=0)
    n_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    n_rejected: Mapped[int] = mapped_column(Integer, default=0)
    # 填报人 and 联系电话 as typed in the template's header, kept beside the signed-in account that sent the file
    reporter: Mapped[str] = mapped_column(String(100), default="", server_default="")
    reporter_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # the file's whole name when it is longer than file_name holds (file_name then keeps a shortened one)
    original_name: Mapped[str] = mapped_column(Text, default="", server_default="")


class Observation(Base):
    """One accepted value of one indicator for one period; the highest revision is the current value.

    The key (indicator, period, revision) is the table's clustered key on SQLite (WITHOUT ROWID): revisions of a
    value sit together, and a million-row ingest maintains one B-tree instead of two. A small partial index lists the
    values sent more than once, so "what was revised" never scans every value.
    """

    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_revised", "indicator_code", "period",
              sqlite_where=text("revision > 1"), postgresql_where=text("revision > 1")),
        {"sqlite_with_rowid": False},
    )
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[LongText]
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    source_row: Mapped[int] = mapped_column(Integer, default=0)


class Snapshot(Base):
    """The assessments frozen for one quarter's briefing, so later revisions never rewrite what was briefed."""

    __tablename__ = "snapshot"
    plan_code: Mapped[str] = mapped_column(String(40), primary_key=True)  # each plan's briefing its own (0010)
    as_of: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rule: Mapped[str] = mapped_column(String(40))
    last_submission_id: Mapped[int] = mapped_column(Integer, default=0)
    payload_json: Mapped[str] = mapped_column(Text)
    frozen_by: Mapped[str] = mapped_column(String(40), default="", server_default="")  # the account (0009)


class StandingCache(Base):
    """What is kept of one quarter of one plan for one version of the data: the key of that version, the approved
    submissions it counts, the roll-ups; its assessments are rows of KeptAssessment. Written after every change of the
    values or the plan, so that a dashboard's first render reads them instead of every value, and so that the next
    change re-assesses only the series it touched (pipelines.store.standing_cache).

    Derived data only: deleting every row loses nothing, the dashboard then computes what it needs.
    """

    __tablename__ = "standing_cache"
    plan_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[str] = mapped_column(String(10), primary_key=True)
    data_key: Mapped[str] = mapped_column(String(400))
    latest_period: Mapped[str] = mapped_column(String(10), default="")  # latest period with data; '' for none
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    basis_json: Mapped[str] = mapped_column(Text)  # the approved submissions counted, by id (0013)
    payload_json: Mapped[str] = mapped_column(Text)  # the roll-ups, and the quarter the changes are counted since


class KeptAssessment(Base):
    """One indicator's kept assessment in a kept quarter (0013): the whole assessment, the four figures its sub-item
    rolls up (so that rolling a sub-item up again decodes no whole assessments), and for the latest quarter what
    changed since the quarter before. Derived data only, like StandingCache."""

    __tablename__ = "kept_assessment"
    plan_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # the indicator's place in the plan
    leaf_json: Mapped[str] = mapped_column(Text)  # score, gap to 序时, completion, status: what its sub-item rolls up
    row_json: Mapped[str] = mapped_column(Text)
    changes_json: Mapped[str] = mapped_column(Text, default="")


class SubmissionSeries(Base):
    """Which series each submission sent values of (0013): what a review decision or an ingest touched, found
    without scanning every value."""

    __tablename__ = "submission_series"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class User(Base):
    """A local account: who may sign in, with which roles, for which departments (comma-separated codes)."""

    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[Name]
    password_hash: Mapped[str] = mapped_column(String(255), default="")  # argon2; empty for OIDC-only accounts
    roles: Mapped[str] = mapped_column(String(100), default="viewer")
    departments: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[bool] = mapped_column(default=False)
    # set by an administrator's reset: the account must choose its own password before it may do anything else
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())


class SigninFailure(Base):
    """A failed sign-in with a local password: which account name was tried, from which client (IP address, '' when
    unknown), when. Read to throttle guessing (pipelines.workflow.accounts); rows older than the throttle looks back
    are deleted as new ones are written, and an account's rows when it signs in or its password is set."""

    __tablename__ = "signin_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(100), default="", index=True)


class ValueNarrative(Base):
    """进展情况 / 存在问题 / 下一步措施 a department wrote for one value of one submission."""

    __tablename__ = "value_narrative"
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    progress: Mapped[LongText]
    problems: Mapped[LongText]
    next_steps: Mapped[LongText]


class Evidence(Base):
    """One 佐证材料 file (image or PDF) attached to an indicator in a submission."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    file_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(Text, default="", server_default="")  # as for a submission


class PeriodLock(Base):
    """A quarter locked after its briefing: later changes to it need an admin."""

    __tablename__ = "period_lock"
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    locked_by: Mapped[str] = mapped_column(String(100))
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LockEvent(Base):
    """Every lock and unlock of a quarter: who, when, and (for an unlock) why. period_lock holds the current state."""

    __tablename__ = "lock_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    action: Mapped[str] = mapped_column(String(10))  # lock | unlock
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[LongText]


class ReviewEvent(Base):
    """A reviewer's decision on a submission: approve (审核通过) or return (退回修改) with a comment."""

    __tablename__ = "review_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    comment: Mapped[LongText]


class UploadAttempt(Base):
    """Every file a department tried to send in the browser, refused ones included (their bytes are not kept): the
    报送情况 board counts attempts and refusals from it. Written apart from the ingest, so a refused file still leaves
    the store's data unchanged."""

    __tablename__ = "upload_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | rejected | unchanged
    n_hard: Mapped[int] = mapped_column(Integer, default=0)
    n_soft: Mapped[int] = mapped_column(Integer, default=0)
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SigninSession(Base):
    """A sign-in, bound to the browser that made it by a random token in an HttpOnly cookie: the store keeps only the
    token's SHA-256, who signed in, when, and when the browser was last seen (idle and absolute time-outs)."""

    __tablename__ = "signin_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    client: Mapped[str] = mapped_column(String(100), default="", server_default="")


class PlanTask(Base):
    """A plan's 重点任务 (tasks.csv): owner, deadline, quarterly milestones (0012). Task codes are unique in the store,
    so a department's report names its task by code alone."""

    __tablename__ = "plan_task"
    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "sub_item_code"], ["plan_sub_item.plan_code", "plan_sub_item.code"]),
    )
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[Code] = mapped_column(primary_key=True)
    sub_item_code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[Name]
    name_en: Mapped[Name]
    department: Mapped[str] = mapped_column(ForeignKey("department.code"))
    supporting_departments: Mapped[str] = mapped_column(String(400), default="")
    due: Mapped[dt.date] = mapped_column(Date)
    due_text: Mapped[str] = mapped_column(String(40))
    milestones_json: Mapped[LongText]
    source: Mapped[LongText]
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskReport(Base):
    """One quarter's report of a task as a department sent it (0012): 进展情况, 完成状态 (not_started, in_progress,
    done, extension), 完成时间, 延期至; the highest revision of (task, period) is the current one, and it counts once
    its submission is approved (an approved `done` is the 销号, an approved `extension` moves the deadline)."""

    __tablename__ = "task_report"
    task_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    progress: Mapped[str] = mapped_column(Text)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    new_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[LongText]
    source_row: Mapped[int] = mapped_column(Integer, default=0)
