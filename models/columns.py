"""Names of the DataFrame columns that cross modules (store queries, checks, engine, pages)."""
CODE, PERIOD, VALUE, NOTE = "indicator_code", "period", "value", "note"
ROW = "row"  # the Excel row a value came from
REVISION, SUBMISSION = "revision", "submission_id"
FILE, DEPARTMENT, SUBMITTER, SUBMITTED_AT = "file_name", "department", "submitter", "submitted_at"
