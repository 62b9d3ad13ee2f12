"""The bank documents of ../shared/data/tau2_banking_knowledge/, split in two halves: one the injection model
is trained on as ordinary help-centre text (agent/data/injection/kb_passages.jsonl, written by this script),
the other the one benchmarks/screening.py measures it on. Runtime code never reads ../shared: the product
reads the file this writes.

Run from the repository root: `python benchmarks/kb_passages.py` (rewrites the file).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = REPO.parent / "shared" / "data" / "tau2_banking_knowledge" / "documents"
OUTPUT = REPO / "agent" / "data" / "injection" / "kb_passages.jsonl"
# Passages written to an agent (tool calls, "the agent should") are left out: in this product a passage that
# addresses the assistant is what the screening must catch.
TO_AN_AGENT = re.compile(r"\btools?\b|_\d{3,}\b|\bagents?\b|\bassistant\b|\bAI\b|\bLLM\b|\bsystem\b", re.I)
SHORTEST = 40


def documents(*, trained: bool) -> list[Path]:
    """Every other document in file-name order: the first, third… are trained on, the others measure."""
    return sorted(DOCUMENTS.glob("*.json"))[0 if trained else 1 :: 2]


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
    import django

    django.setup()
    from agent.knowledge.passages import split

    rows, seen = [], set()
    for path in documents(trained=True):
        document = json.loads(path.read_text(encoding="utf-8"))
        for position, (_, text) in enumerate(split(document["content"])):
            if TO_AN_AGENT.search(text) or len(text) < SHORTEST or text in seen:
                continue
            seen.add(text)
            rows.append(
                {
                    "id": f"kb-{document['id']}-{position}",
                    "text": text,
                    "attack": False,
                    "family": "article_injection",
                    "channel": "article",
                    "lang": "en",
                    "note": "ordinary help-centre passage",
                }
            )
    OUTPUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} passages of {len(documents(trained=True))} documents written to {OUTPUT}")


if __name__ == "__main__":
    main()
