"""The store: SQLAlchemy models, engine and session set-up, and read queries returning DataFrames."""
