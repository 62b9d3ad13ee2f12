"""Knowledge search keeps its own BM25 index in memory (agent/search/lexical.py): drop what the databases kept
for it — PostgreSQL's stored search vector (0011) and SQLite's FTS5 table with its triggers, which was made on
first use rather than by a migration."""

from django.db import migrations

FTS5_TABLE = "agent_knowledgearticle_fts"
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS5_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS5_TABLE}_update",
    f"DROP TRIGGER IF EXISTS {FTS5_TABLE}_delete",
    f"DROP TABLE IF EXISTS {FTS5_TABLE}",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS agent_knowledgearticle_search_vector",
    "ALTER TABLE agent_knowledgearticle DROP COLUMN IF EXISTS search_vector",
]
POSTGRES_ADD = [
    """ALTER TABLE agent_knowledgearticle ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'B')
    ) STORED""",
    "CREATE INDEX agent_knowledgearticle_search_vector ON agent_knowledgearticle USING GIN (search_vector)",
]


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(statement)


def restore(apps, schema_editor):
    # The FTS5 table was made on first use; only PostgreSQL's column comes back.
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_ADD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agent", "0013_version_context_budget")]

    operations = [migrations.RunPython(drop, restore)]
