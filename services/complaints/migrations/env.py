"""Alembic's entry for this service's database; shared/kit/migrations.py says what it
migrates and how."""

from shared.kit.migrations import run_env

run_env()
