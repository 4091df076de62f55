"""Trigram GIN indexes for the inbox search (PostgreSQL only).

selectors.inbox matches `search_key LIKE '%…%'` and `UPPER(code::text) LIKE UPPER('%…%')`
(Django's `contains` / `icontains`); pg_trgm lets both use an index instead of reading
every open dossier of the agency. The indexes are outside the model state: SQLite has no
GIN, and would otherwise meet them again whenever it rebuilds the table.
"""

from django.db import migrations

from motcua.core.pgops import RunSQLOnPostgres, TrigramExtensionOnPostgres


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
