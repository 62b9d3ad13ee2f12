import secrets
import uuid

from django.conf import settings
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
    text = models.TextField(help_text="As written: read only here, by the customer, and by a reveal.")
    # The text with sensitive data masked (agent.screening.pii), and where the masked values were: what the
    # LLM, traces, logs, caches, tickets, evaluation cases and reviewers read.
    redacted_text = models.TextField(blank=True, default="")
    pii = models.JSONField(default=list, blank=True, help_text='[{"type", "start", "end"}] in the text.')
    # for an answer: the draft it was sent from (as drafted, edited or replaced by a reviewer)
    draft = models.ForeignKey(
        "agent.Draft", null=True, blank=True, on_delete=models.SET_NULL, related_name="sent_messages"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # for a customer message: the id the sending page gave it, so that sending it again (its acknowledgement
    # was lost with the connection) stores and answers it once
    client_ref = models.CharField(max_length=64, blank=True, default="", editable=False)
    # for a customer message: the agent run working on it holds it until then (agent.leases), so that a
    # message queued twice is never worked on twice at once
    agent_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    agent_lease_holder = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("reveal_message", "Can reveal the sensitive data masked in a customer's message")]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_ref"],
                condition=~models.Q(client_ref=""),
                name="message_client_ref_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.masked_text[:60]}"

    @property
    def masked_text(self) -> str:
        """The text with its sensitive data masked; masked now for rows stored before screening."""
        if self.redacted_text or not self.text:
            return self.redacted_text
        from agent.screening.pii import mask

        return mask(self.text)

    def screen(self) -> None:
        """Find and mask the text's sensitive data (before saving)."""
        from agent.screening.pii import find, mask

        findings = find(self.text)
        self.redacted_text = mask(self.text, findings)
        self.pii = [finding.as_json() for finding in findings]


class SensitiveDataReveal(models.Model):
    """Who saw a customer's message unmasked, and when."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reveals")
    revealed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"{self.user} revealed message {self.message_id} at {self.revealed_at:%Y-%m-%d %H:%M}"


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
