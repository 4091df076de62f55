"""Trigram GIN indexes for the inbox search (PostgreSQL only).

selectors.inbox matches `search_key LIKE '%…%'` and `UPPER(code::text) LIKE UPPER('%…%')`
(Django's `contains` / `icontains`); pg_trgm lets both use an index instead of reading
every open dossier of the agency. The indexes are outside the model state: SQLite has no
GIN, and would otherwise meet them again whenever it rebuilds the table.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class OnPostgres:
    """Run the wrapped operation's database part on PostgreSQL only, both ways."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgres(OnPostgres, TrigramExtension):
    pass


class RunSQLOnPostgres(OnPostgres, migrations.RunSQL):
    pass


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_fill_dossier_search_key")]

    operations = [
        TrigramExtensionOnPostgres(),
        RunSQLOnPostgres(
            "CREATE INDEX dossier_search_key_trgm ON dossiers_dossier "
            "USING gin (search_key gin_trgm_ops)",
            "DROP INDEX dossier_search_key_trgm",
        ),
        RunSQLOnPostgres(
            "CREATE INDEX dossier_code_upper_trgm ON dossiers_dossier "
            "USING gin ((UPPER(code::text)) gin_trgm_ops)",
            "DROP INDEX dossier_code_upper_trgm",
        ),
    ]
