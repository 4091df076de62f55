"""Migration operations for PostgreSQL-only features (pg_trgm indexes), no-ops elsewhere.

SQLite runs the tests and the demo; it has no GIN. The indexes these operations create are
not in any model's state, so SQLite never meets them, not even when it rebuilds a table.
"""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState


def _on_postgres(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class TrigramExtensionOnPostgres(TrigramExtension):
    """CREATE EXTENSION IF NOT EXISTS pg_trgm; reversing keeps it (other indexes may use it)."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _on_postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        pass


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _on_postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _on_postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
