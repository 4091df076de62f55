"""A trigram GIN index on the attachments' folded OCR text (PostgreSQL only), so that the
inbox search's `text_key LIKE '%…%'` (selectors.inbox) does not read every attachment; as
0005, outside the model state (SQLite has no GIN)."""

from django.db import migrations

from motcua.core.pgops import RunSQLOnPostgres, TrigramExtensionOnPostgres


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0015_attachment_text_key")]

    operations = [
        TrigramExtensionOnPostgres(),
        RunSQLOnPostgres(
            "CREATE INDEX attachment_text_key_trgm ON dossiers_attachment "
            "USING gin (text_key gin_trgm_ops) WHERE text_key <> ''",
            "DROP INDEX attachment_text_key_trgm",
        ),
    ]
