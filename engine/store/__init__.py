"""The store: sqlmodel models, the database engine and Alembic migrations."""
