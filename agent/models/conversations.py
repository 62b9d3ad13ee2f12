import secrets
import uuid

from django.db import models


def new_ticket_reference() -> str:
    return "T-" + secrets.token_hex(4).upper()


class Customer(models.Model):
    external_id = models.CharField(
        max_length=128, unique=True, help_text="The customer's id in the bank's systems."
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["external_id"]

    def __str__(self) -> str:
        return self.name or self.external_id


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        ANSWERED = "answered", "Answered"
        ESCALATED = "escalated", "Escalated to a human"
        NEEDS_HUMAN = "needs_human", "Needs a human (agent failed)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    agent_version = models.ForeignKey("agent.AgentVersion", null=True, blank=True, on_delete=models.SET_NULL)
    # set once, when the conversation starts, by the experiment running then (sticky)
    experiment = models.ForeignKey(
        "agent.Experiment", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    human_only = models.BooleanField(
        default=False, help_text="Left out of the agent's ramp: every message goes straight to people."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Conversation {str(self.public_id)[:8]} with {self.customer}"


class Message(models.Model):
    class Role(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"
        STAFF = "staff", "Support staff"
        SYSTEM = "system", "System notice"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    # for an answer: the draft it was sent from (as drafted, edited or replaced by a reviewer)
    draft = models.ForeignKey(
        "agent.Draft", null=True, blank=True, on_delete=models.SET_NULL, related_name="sent_messages"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:60]}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SOLVED = "solved", "Solved"

    reference = models.CharField(max_length=20, unique=True, default=new_ticket_reference, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tickets")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    subject = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    intent = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"
