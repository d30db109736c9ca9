"""The words the store keeps for a submission's review state, defined once for the store, the checks and the pages."""
from __future__ import annotations

from typing import Final, Literal, get_args

SubmissionStatus = Literal["pending", "approved", "returned", "withdrawn"]
SUBMISSION_STATUSES: Final[tuple[SubmissionStatus, ...]] = get_args(SubmissionStatus)
PENDING: Final = "pending"  # sent from the browser, waiting for a reviewer
APPROVED: Final = "approved"  # counts: read by the engine, the pages and the exports
RETURNED: Final = "returned"  # sent back to the department with a reason
WITHDRAWN: Final = "withdrawn"  # taken back by its department before a reviewer decided
# A file with the same bytes as a submission in one of these states is not taken again: it is counted, waits, or was
# sent back to be corrected. A withdrawn file may be sent again.
HELD: Final[tuple[SubmissionStatus, ...]] = (APPROVED, PENDING, RETURNED)
