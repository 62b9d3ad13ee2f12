"""What every inbound text goes through before anything reads it: sensitive data found and masked (`pii`),
and attempts to instruct the model detected (`injection`). The `screen` command runs exactly this."""

from __future__ import annotations

from dataclasses import dataclass

from .injection import Verdict, detect_many
from .pii import Finding, find, mask


@dataclass(frozen=True)
class Screened:
    text: str
    redacted: str
    pii: tuple[Finding, ...]
    injection: Verdict

    def as_json(self) -> dict[str, object]:
        """The `screen` command's fields."""
        return {
            "redacted": self.redacted,
            "pii": [finding.as_json() for finding in self.pii],
            "injection": self.injection.injection,
            "injection_score": self.injection.score,
        }


def screen(text: str) -> Screened:
    """Screen one text."""
    return screen_many([text])[0]


def screen_many(texts: list[str]) -> list[Screened]:
    """Screen several texts; the injection model reads them in one pass."""
    found = [find(text) for text in texts]
    # the model reads the masked text: a card number is no instruction, and its digits mean nothing to it
    redacted = [mask(text, findings) for text, findings in zip(texts, found, strict=True)]
    verdicts = detect_many(redacted)
    return [
        Screened(text, masked, tuple(findings), verdict)
        for text, masked, findings, verdict in zip(texts, redacted, found, verdicts, strict=True)
    ]
