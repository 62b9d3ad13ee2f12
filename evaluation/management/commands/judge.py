"""`python manage.py judge [--limit N] [--model M] [--rejudge]`: the LLM judge on the reviewed drafts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from evaluation.judge import (
    CRITERIA,
    Agreement,
    JudgeError,
    agreement_by_judge_model,
    cases_to_judge,
    judge_case,
)
from evaluation.models import JudgeVerdict


class Command(BaseCommand):
    help = (
        "Judge the evaluation cases (newest first) that the judge model has not judged yet, store the "
        "verdicts, and report how far the judge agrees with the reviewers (rate and Cohen's kappa)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="Judge at most N cases.")
        parser.add_argument("--model", default="", help="Judge model (default: JUDGE_MODEL).")
        parser.add_argument(
            "--rejudge", action="store_true", help="Judge cases again, replacing this model's verdicts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        model = options["model"] or settings.JUDGE_MODEL
        cases = cases_to_judge(model=model, rejudge=options["rejudge"], limit=limit)
        if not cases:
            self.stdout.write(
                f"Nothing to judge: {model} has judged every case (--rejudge judges them again)."
            )
        else:
            self.stderr.write(f"Judging {len(cases)} cases with {model} at {settings.JUDGE_BASE_URL}")
        unparseable = 0
        for done, case in enumerate(cases, start=1):
            try:
                verdict = judge_case(case=case, model=model)
            except JudgeError as error:
                raise CommandError(
                    f"{error}. {done - 1} of {len(cases)} cases were judged and kept; run the command again "
                    "to judge the rest."
                ) from None
            unparseable += verdict.parse_failed
            self.stderr.write(f"[{done}/{len(cases)}] case {case.pk} ({case.label}): {_outcome(verdict)}")
        if cases:
            self.stdout.write(f"Judged {len(cases)} cases with {model}: {unparseable} unparseable.")
        self._summary(model)

    def _summary(self, model: str) -> None:
        summary = next((s for s in agreement_by_judge_model() if s.judge_model == model), None)
        if summary is None:
            return
        self.stdout.write(
            f"{model} against the reviewers, over its {summary.agreement.table.cases} parsed verdicts "
            f"({summary.unparseable} unparseable left out):"
        )
        self.stdout.write(_agreement_lines(summary.agreement))


def _outcome(verdict: JudgeVerdict) -> str:
    if verdict.parse_failed:
        return "unparseable"
    if verdict.acceptable:
        return "acceptable"
    failed = [name for name in CRITERIA if getattr(verdict, name) is False]
    return f"not acceptable ({', '.join(failed)}: no)"


def _agreement_lines(result: Agreement) -> str:
    rate = "n/a" if result.rate is None else f"{result.rate:.1%}"
    kappa = "undefined" if result.kappa is None else f"{result.kappa:.2f}"
    table = result.table
    lines = [
        f"  agreement {rate}   Cohen's kappa {kappa}",
        f"  {'':<26}{'judge: acceptable':>20}{'judge: not acceptable':>24}",
        f"  {'reviewers: approved':<26}{table.approved_acceptable:>20}{table.approved_unacceptable:>24}",
        f"  {'reviewers: not approved':<26}{table.not_approved_acceptable:>20}"
        f"{table.not_approved_unacceptable:>24}",
    ]
    if result.kappa_note:
        lines.append(f"  ({result.kappa_note})")
    return "\n".join(lines)
