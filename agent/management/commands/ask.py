import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agent.models import Customer
from agent.pipeline import run_agent
from agent.services import InvalidMessage, start_conversation, store_customer_message
from agent.trace import format_trace


class Command(BaseCommand):
    help = "Ask the agent one question and print its route, retrieval, draft, decision and step trace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question")
        parser.add_argument("--customer", default="cli-customer", help="The asking customer's external id.")
        parser.add_argument("--json", action="store_true", help="Print the stored run as one JSON object.")

    def handle(self, *args: object, **options: str) -> None:
        customer, _ = Customer.objects.get_or_create(external_id=options["customer"])
        conversation = start_conversation(customer=customer)
        try:
            message = store_customer_message(conversation=conversation, text=options["question"])
        except InvalidMessage as error:
            raise CommandError(str(error)) from error
        draft = run_agent(message=message)
        trace = format_trace(draft)
        if options["json"]:
            self.stdout.write(json.dumps(trace["json"], indent=2, default=str))
        else:
            self.stdout.write(trace["text"])
