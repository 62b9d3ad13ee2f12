"""On PostgreSQL, keep each article's full-text vector in a stored generated column with a GIN index, so a
search reads the index instead of analysing every article's text per query. Other databases: nothing."""

from django.db import migrations

ADD = """
ALTER TABLE agent_knowledgearticle ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'B')
) STORED;
CREATE INDEX agent_knowledgearticle_search_vector ON agent_knowledgearticle USING GIN (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS agent_knowledgearticle_search_vector;
ALTER TABLE agent_knowledgearticle DROP COLUMN IF EXISTS search_vector;
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("agent", "0010_article_revisions")]

    operations = [migrations.RunPython(add, drop)]
