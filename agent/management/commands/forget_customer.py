"""`python manage.py forget_customer EXTERNAL_ID`: erase one customer's personal data.

Across conversations, messages, run traces, tickets, reviewers' texts and cached answers (evaluation cases are
kept, anonymised; see agent.privacy), then prints what it erased. Running it again erases nothing more.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.models import Customer
from agent.privacy import describe, forget_customer


class Command(BaseCommand):
    help = "Erase one customer's personal data and print what was erased."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("external_id", help="The customer's id in the bank's systems.")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = Customer.objects.filter(external_id=options["external_id"]).first()
        if customer is None:
            raise CommandError(f"No customer with id {options['external_id']!r}.")
        erased = forget_customer(customer)
        self.stdout.write(f"Erased for {options['external_id']}:\n{describe(erased)}")
