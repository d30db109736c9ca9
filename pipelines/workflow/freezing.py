"""Freezing a quarter for its briefing (冻结本季度快照) as an account: reviewers and admins only, checked here and not
by hiding a button; a quarter frozen once keeps its snapshot (replacing one is the command line's `--replace`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from pipelines.core.periods import Period
from pipelines.store.snapshot import Frozen, freeze, read_snapshot
from pipelines.workflow.accounts import Refusal, User, check_can_review, read_user, refusal


def freeze_quarter(engine: Engine, actor: User | None, as_of: Period, *,
                   now: dt.datetime | None = None, plan: str | None = None) -> Frozen | Refusal:
    """The quarter's snapshot frozen by `actor`, or why not: not a reviewer, already frozen (by whom and when), or
    an empty store. Two reviewers pressing at once make one snapshot; the second is told it exists."""
    denied = check_can_review(actor)
    if denied is not None:
        return denied
    assert actor is not None
    with engine.connect() as conn:
        existing = read_snapshot(conn, as_of, plan)
    if existing is None:
        when = now or dt.datetime.now()
        made = freeze(engine, as_of, now=when, by=actor.username, plan=plan)
        if made is None:
            return refusal("snapshot-empty-store")
        if made.created_at == when and made.frozen_by == actor.username[:40]:
            return made
        existing = made  # another reviewer's snapshot, committed first: freeze() kept it
    name = frozen_by_name(engine, existing)
    who = {"who": name} if name else {"who_key": "snapshot.by-command-line"}
    return refusal("snapshot-exists", quarter_period=as_of.code, when=existing.created_at.strftime("%Y-%m-%d %H:%M"),
                   **who)


def frozen_by_name(engine: Engine, frozen: Frozen) -> str:
    """Who froze the snapshot, by the account's display name; '' for one frozen from the command line."""
    user = read_user(engine, frozen.frozen_by) if frozen.frozen_by else None
    return user.display_name if user is not None else frozen.frozen_by
