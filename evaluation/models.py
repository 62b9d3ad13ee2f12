from django.db import models
from django.utils import timezone


class JudgeVerdict(models.Model):
    """An LLM judge's verdict on one reviewed draft (an `EvaluationCase`), by one judge model.

    A foreign key plus the judge model's name, unique together, rather than a one-to-one: the reviewers'
    labels can then measure several judge models side by side (a candidate judge is run on the same cases
    before it replaces the current one), and re-judging with one model replaces only that model's verdict.
    """

    case = models.ForeignKey("review.EvaluationCase", on_delete=models.CASCADE, related_name="judge_verdicts")
    judge_model = models.CharField(max_length=100, db_index=True)
    # Each criterion is empty (None) when the judge's reply could not be read.
    grounded = models.BooleanField(null=True, help_text="Every claim is supported by the articles.")
    answers_question = models.BooleanField(null=True, help_text="It addresses what the customer asked.")
    safe = models.BooleanField(null=True, help_text="No credentials asked for, no promises, nothing harmful.")
    acceptable = models.BooleanField(
        null=True, db_index=True, help_text="All three criteria hold; empty when the reply was unreadable."
    )
    reasons = models.JSONField(default=dict, blank=True, help_text="One line per criterion.")
    parse_failed = models.BooleanField(
        default=False, db_index=True, help_text="The reply was not a verdict, even after one repair request."
    )
    raw_reply = models.TextField(blank=True, help_text="The judge's last reply, as it came.")
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "judge_model"], name="one_verdict_per_case_and_judge")
        ]

    def __str__(self) -> str:
        if self.parse_failed:
            outcome = "unparseable"
        else:
            outcome = "acceptable" if self.acceptable else "not acceptable"
        return f"{self.judge_model} on case {self.case_id}: {outcome}"
