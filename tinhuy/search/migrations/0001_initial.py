from django.db import migrations, models

SQLITE_FORWARD = [
    # External-content FTS5 over search_searchdocument; diacritics are kept in the index
    # (remove_diacritics 0): folding is done in Python, đ included, before indexing.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_exact, title_folded, body_exact, body_folded,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3'
    )""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_exact, title_folded, body_exact, body_folded)
        VALUES (new.id, new.title_exact, new.title_folded, new.body_exact, new.body_folded);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_exact, title_folded, body_exact, body_folded)
        VALUES ('delete', old.id, old.title_exact, old.title_folded, old.body_exact, old.body_folded);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_exact, title_folded, body_exact, body_folded)
        VALUES ('delete', old.id, old.title_exact, old.title_folded, old.body_exact, old.body_folded);
        INSERT INTO search_fts(rowid, title_exact, title_folded, body_exact, body_folded)
        VALUES (new.id, new.title_exact, new.title_folded, new.body_exact, new.body_folded);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    # Folding happens in Python, so plain 'simple' tsvectors of the stored columns suffice:
    # no unaccent, no IMMUTABLE wrapper. Weights: title A, body B.
    """ALTER TABLE search_searchdocument ADD COLUMN tsv_exact tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_exact), 'A') ||
        setweight(to_tsvector('simple', body_exact), 'B')) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN tsv_folded tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_folded), 'A') ||
        setweight(to_tsvector('simple', body_folded), 'B')) STORED""",
    "CREATE INDEX search_tsv_folded ON search_searchdocument USING gin (tsv_folded)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_tsv_folded",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv_folded",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv_exact",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=200, unique=True)),
                ("kind", models.CharField(db_index=True, max_length=32)),
                ("title", models.CharField(max_length=255)),
                ("url", models.CharField(max_length=500)),
                ("chapter", models.CharField(blank=True, db_index=True, max_length=500)),
                ("places", models.CharField(blank=True, max_length=2000)),
                ("period", models.CharField(blank=True, max_length=100)),
                ("body", models.TextField()),
                ("title_exact", models.TextField()),
                ("title_folded", models.TextField()),
                ("body_exact", models.TextField()),
                ("body_folded", models.TextField()),
            ],
        ),
        migrations.RunPython(forward, reverse),
    ]
