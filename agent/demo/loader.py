"""The demo bank: 77 knowledge articles (one per BANKING77 intent), policies, an agent version, customers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.text import slugify

from agent.models import AgentVersion, Customer, KnowledgeArticle, LanguageModel, ThresholdPolicy
from review.access import REVIEWER_GROUP

ARTICLES_FILE = Path(__file__).parent / "articles.json"

# Intents where money or access is at risk: a human always takes these, with a ticket.
ESCALATED_INTENTS = frozenset(
    {
        "lost_or_stolen_card",
        "lost_or_stolen_phone",
        "compromised_card",
        "card_payment_not_recognised",
        "cash_withdrawal_not_recognised",
        "direct_debit_payment_not_recognised",
        "transaction_charged_twice",
    }
)
DEMO_CUSTOMERS = [("demo-customer", "Alex Morgan", "alex.morgan@example.com")]


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def demo_articles() -> list[dict[str, str]]:
    with ARTICLES_FILE.open(encoding="utf-8") as handle:
        articles: list[dict[str, str]] = json.load(handle)
    return articles


@transaction.atomic
def load_demo_bank() -> LoadSummary:
    """Create or update the demo bank. Running it again changes nothing that is already as shipped."""
    summary = LoadSummary()
    for entry in demo_articles():
        slug = slugify(entry["intent"].replace("_", "-").rstrip("?"))
        article = KnowledgeArticle.objects.filter(slug=slug).first()
        if article is None:
            KnowledgeArticle.objects.create(
                slug=slug,
                source_id=f"demo:{entry['intent']}",
                intent=entry["intent"],
                title=entry["title"],
                body=entry["body"],
            )
            summary.created += 1
        elif (article.title, article.body, article.intent) != (
            entry["title"],
            entry["body"],
            entry["intent"],
        ):
            article.title, article.body, article.intent = entry["title"], entry["body"], entry["intent"]
            article.version += 1
            article.save()
            summary.updated += 1
        else:
            summary.unchanged += 1
        ThresholdPolicy.objects.get_or_create(
            intent=entry["intent"], defaults={"always_escalate": entry["intent"] in ESCALATED_INTENTS}
        )
    if not AgentVersion.objects.filter(is_default=True).exists():
        AgentVersion.objects.update_or_create(name="v1", defaults={"is_default": True})
    LanguageModel.objects.get_or_create(name=settings.LLM_SMALL_MODEL)
    for external_id, name, email in DEMO_CUSTOMERS:
        Customer.objects.get_or_create(external_id=external_id, defaults={"name": name, "email": email})
    Group.objects.get_or_create(name=REVIEWER_GROUP)
    return summary


def ensure_demo_reviewer(*, username: str, password: str) -> User:
    """A staff user in the reviewers' group who can also use the admin; the password is reset each time."""
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=REVIEWER_GROUP)[0])
    return user
