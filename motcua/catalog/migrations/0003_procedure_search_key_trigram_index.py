"""A trigram GIN index on Procedure.search_key (PostgreSQL only).

selectors.procedure_search requires every query word: `search_key LIKE '%word%'` for each.
With pg_trgm PostgreSQL intersects the words in the index instead of testing every active
procedure (bench/pages.py, 5,000 procedures). Outside the model state, like the dossiers'
search indexes: see motcua.core.pgops.
"""

from django.db import migrations

from motcua.core.pgops import RunSQLOnPostgres, TrigramExtensionOnPostgres


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_widen_names_one_open_version")]

    operations = [
        TrigramExtensionOnPostgres(),
        RunSQLOnPostgres(
            "CREATE INDEX procedure_search_key_trgm ON catalog_procedure "
            "USING gin (search_key gin_trgm_ops)",
            "DROP INDEX procedure_search_key_trgm",
        ),
    ]
