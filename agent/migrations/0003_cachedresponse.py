# Written by hand for agent/models/cache.py; equal to what makemigrations generates for it.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agent', '0002_model_cascade'),
    ]

    operations = [
        migrations.CreateModel(
            name='CachedResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('exact_key', models.CharField(help_text='SHA-256 of the intent and the normalised question.', max_length=64, unique=True)),
                ('intent', models.CharField(blank=True, db_index=True, max_length=64)),
                ('question', models.TextField(help_text="The customer's question, as asked.")),
                ('text', models.TextField(help_text='The answer that was sent.')),
                ('article_versions', models.JSONField(default=dict, help_text='Knowledge article id -> the version the answer used.')),
                ('embedding', models.BinaryField(help_text="The normalised question's unit vector, float32.")),
                ('source_draft_id', models.BigIntegerField(blank=True, help_text='The draft it was sent as.', null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
    ]
