from django.core.management.base import BaseCommand

from agent.models import KnowledgeArticle
from agent.search import get_search_backend


class Command(BaseCommand):
    help = (
        "Index every published knowledge article afresh in the configured search backend (Elasticsearch when "
        "ELASTICSEARCH_URL is set): after a deployment, or after bulk changes that sent no signals."
    )

    def handle(self, *args: object, **options: object) -> None:
        backend = get_search_backend()
        backend.rebuild_index()
        count = KnowledgeArticle.objects.filter(is_published=True).count()
        self.stdout.write(f"Indexed {count} published articles in the {type(backend).__name__} backend.")
