"""Alembic migration scripts for the store (a package so installs carry them)."""
