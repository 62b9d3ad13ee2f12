"""`import_kb` and `search_kb`: a support team's own files in, JSON lines of search results out."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agent.cache import get_response_cache
from agent.models import KnowledgeArticle

pytestmark = pytest.mark.django_db

FEES_MD = """---
title: Foreign transaction fees
id: kb-fees-001
---
Card payments abroad cost 2.5% of the amount.

## Exceptions
Premium accounts pay nothing.
"""
PIN_MD = "# Resetting your PIN\n\nOpen Cards > Security > Reset PIN and confirm with your passcode.\n"
HTML = """<html><head><title>Ignored when there is an h1</title><style>p{color:red}</style></head>
<body><h1>Disputing a payment</h1><p>Tell us within <b>120 days</b>.</p><script>alert(1)</script>
<h2>What we need</h2><ul><li>the receipt</li><li>the date</li></ul></body></html>"""


def run_import(*paths: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_kb", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    (folder / "cards").mkdir(parents=True)
    (folder / "fees.md").write_text(FEES_MD, encoding="utf-8")
    (folder / "cards" / "pin.md").write_text(PIN_MD, encoding="utf-8")
    (folder / "dispute.html").write_text(HTML, encoding="utf-8")
    documents = [
        {
            "id": "doc_savings_001",
            "title": "Savings accounts",
            "content": "Interest is paid monthly at 3.1%.",
        },
        {"id": "doc_wires_002", "title": "International wires", "content": "Wires abroad cost £15."},
    ]
    (folder / "bank.json").write_text(json.dumps(documents), encoding="utf-8")
    lines = [
        json.dumps({"id": "doc_loans_003", "title": "Loans", "content": "Loans up to £25,000."}),
        "{broken",
    ]
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a knowledge file", encoding="utf-8")
    return folder


def test_every_kind_of_file_is_imported_with_its_source_id(kb):
    out, err = run_import(kb)
    assert "Imported 5 files: 6 created, 0 updated, 0 unchanged, 1 failed." in out
    assert "more.jsonl, line 2: invalid JSON" in err
    articles = {a.source_id: a for a in KnowledgeArticle.objects.all()}
    assert set(articles) == {
        "kb-fees-001",
        "cards/pin.md",
        "dispute.html",
        "doc_savings_001",
        "doc_wires_002",
        "doc_loans_003",
    }
    assert articles["kb-fees-001"].title == "Foreign transaction fees"
    assert "## Exceptions" in articles["kb-fees-001"].body
    pin = articles["cards/pin.md"]
    assert pin.title == "Resetting your PIN" and not pin.body.startswith("#")
    dispute = articles["dispute.html"]
    assert dispute.title == "Disputing a payment" and "Tell us within 120 days." in dispute.body
    assert "## What we need" in dispute.body and "- the receipt" in dispute.body
    assert "alert" not in dispute.body and "color" not in dispute.body


def test_reimporting_unchanged_files_changes_nothing(kb):
    run_import(kb)
    before = list(KnowledgeArticle.objects.values_list("pk", "version", "updated_at").order_by("pk"))
    out, _ = run_import(kb)
    assert "0 created, 0 updated, 6 unchanged, 1 failed" in out
    assert list(KnowledgeArticle.objects.values_list("pk", "version", "updated_at").order_by("pk")) == before


def test_a_changed_file_makes_a_new_version_and_retires_cached_answers(
    kb, django_capture_on_commit_callbacks
):
    run_import(kb)
    fees = KnowledgeArticle.objects.get(source_id="kb-fees-001")
    cache = get_response_cache()
    question = "How much are card payments abroad?"
    cache.store(question=question, intent="", text="2.5%.", article_versions={fees.pk: fees.version})
    assert cache.lookup(question=question, intent="") is not None
    (kb / "fees.md").write_text(FEES_MD.replace("2.5%", "2.75%"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run_import(kb / "fees.md")
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in out
    fees.refresh_from_db()
    assert fees.version == 2 and "2.75%" in fees.body
    assert cache.lookup(question=question, intent="") is None


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.json", b'{"id": "x", "title": "T", ', "invalid JSON"),
        ("untitled.md", b"Just text, no heading.\n", "no title"),
        ("empty.md", b"  \n", "empty"),
        ("latin1.md", "# Café\n\nCrème brûlée".encode("latin-1"), "not UTF-8"),
        ("big.md", b"# Big\n\n" + b"x" * 5000, "larger than the 4,096-byte limit"),
        ("no-content.json", b'{"id": "x", "title": "T", "content": "  "}', "no content"),
        ("no-id.json", b'{"title": "T", "content": "c"}', 'no "id"'),
    ],
)
def test_a_bad_file_is_reported_by_name_and_the_rest_still_imports(tmp_path, settings, name, content, reason):
    settings.KB_IMPORT_MAX_BYTES = 4096
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.md").write_text(PIN_MD, encoding="utf-8")
    out, err = run_import(tmp_path)
    assert f"skipped {tmp_path / name}: {reason}" in err
    assert "1 created" in out and "1 failed" in out
    assert KnowledgeArticle.objects.filter(title="Resetting your PIN").exists()


def test_nothing_to_import_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Nothing to import"):
        run_import(tmp_path)


def search(monkeypatch, lines: str, *args: str) -> tuple[list[dict], str]:  # type: ignore[no-untyped-def,type-arg]
    """Run search_kb on `lines` given on standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    out, err = io.StringIO(), io.StringIO()
    call_command("search_kb", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.fixture
def imported(kb):  # type: ignore[no-untyped-def]
    run_import(kb)


def test_search_kb_answers_each_line_with_source_ids_best_first(imported, monkeypatch):
    lines = "\n".join(
        [
            json.dumps({"id": "q1", "query": "how much does it cost to send a wire abroad"}),
            json.dumps({"id": 2, "query": "I need to dispute a payment, what do you need from me? " * 60}),
        ]
    )
    results, err = search(monkeypatch, lines, "--k", "2")
    assert err == ""
    assert [r["id"] for r in results] == ["q1", 2]
    assert results[0]["results"][0]["article"] == "doc_wires_002"
    assert results[1]["results"][0] == {
        "article": "dispute.html",
        "title": "Disputing a payment",
        "score": results[1]["results"][0]["score"],
    }
    assert all(len(r["results"]) <= 2 for r in results)
    scores = [hit["score"] for hit in results[0]["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_kb_reports_malformed_lines_and_runs_the_rest(imported, monkeypatch):
    lines = (
        "{oops\n" + json.dumps({"query": "no id"}) + "\n" + json.dumps({"id": "ok", "query": "loans"}) + "\n"
    )
    lines += json.dumps({"id": "blank", "query": "  "}) + "\n"
    results, err = search(monkeypatch, lines)
    assert [r["id"] for r in results] == ["ok"]
    assert "line 1: not valid JSON" in err and 'line 2: expected an object with "id" and "query"' in err
    assert 'line 4: "query" must be a non-empty string' in err and "3 line(s) skipped" in err


def test_unpublished_articles_are_never_found(imported, monkeypatch):
    KnowledgeArticle.objects.filter(source_id="doc_wires_002").update(is_published=False)
    from agent.search import get_search_backend

    get_search_backend().rebuild_index()
    lines = json.dumps({"id": "q", "query": "wires abroad cost"}) + "\n"
    results, _ = search(monkeypatch, lines, "--k", "10")
    assert "doc_wires_002" not in [hit["article"] for hit in results[0]["results"]]


# --- Zendesk Help Center -------------------------------------------------------------------------------


def zendesk_import() -> str:
    out = io.StringIO()
    call_command("import_kb", "--zendesk", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_help_center_is_imported_page_by_page_then_only_what_changed(zendesk):
    from datetime import UTC, datetime, timedelta

    from agent.models import KnowledgeSource

    long_ago = datetime.now(UTC) - timedelta(days=30)
    for number in range(120):
        zendesk.add_article(
            title=f"Article {number}", body=f"<h2>Steps</h2><p>Do thing {number}.</p>", updated_at=long_ago
        )
    draft = zendesk.add_article(
        title="Not yet", body="<p>Secret launch.</p>", updated_at=long_ago, draft=True
    )
    assert "120 created, 0 updated, 1 unchanged, 0 failed" in zendesk_import()  # the draft: nothing to do
    listed = [r for r in zendesk.requests if r.path == "/api/v2/help_center/articles.json"]
    assert len(listed) == 2  # 100 per page
    first = KnowledgeArticle.objects.get(source_id=f"zendesk:{zendesk.articles[0]['id']}")
    assert first.title == "Article 0" and "## Steps" in first.body and "Do thing 0." in first.body
    assert first.url == zendesk.articles[0]["html_url"]
    assert not KnowledgeArticle.objects.filter(source_id=f"zendesk:{draft['id']}").exists()
    cursor = KnowledgeSource.objects.get(name="zendesk-help-center").cursor

    later = datetime.now(UTC) + timedelta(seconds=5)
    zendesk.articles[0].update(
        body="<p>Do the new thing.</p>", updated_at=later.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    zendesk.articles[1].update(draft=True, updated_at=later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    out = zendesk_import()
    assert "changes since the last import: 0 created, 2 updated, 0 unchanged, 0 failed" in out
    incremental = [r for r in zendesk.requests if "incremental" in r.path]
    assert incremental[0].query["start_time"] == cursor
    first.refresh_from_db()
    assert first.version == 2 and "Do the new thing." in first.body
    assert not KnowledgeArticle.objects.get(source_id=f"zendesk:{zendesk.articles[1]['id']}").is_published


def test_a_help_center_outage_stops_the_import_and_keeps_the_cursor(zendesk):
    from agent.models import KnowledgeSource

    zendesk.fail_next(503)
    with pytest.raises(CommandError, match=r"The Help Center import stopped: Zendesk had a passing failure"):
        zendesk_import()
    source = KnowledgeSource.objects.get(name="zendesk-help-center")
    assert source.cursor == "" and source.last_imported_at is None


# --- Editing in admin, with history --------------------------------------------------------------------


def test_staff_edit_an_article_with_a_preview_and_its_history_says_who(admin_client, kb):
    from django.contrib.auth.models import User

    run_import(kb)
    article = KnowledgeArticle.objects.get(source_id="kb-fees-001")
    url = f"/admin/agent/knowledgearticle/{article.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "<h2>Exceptions</h2>" in page  # the Markdown, rendered
    form = {
        "title": article.title,
        "slug": article.slug,
        "source_id": article.source_id,
        "intent": "",
        "is_published": "",  # back to draft
        "body": article.body + "\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and not article.is_published
    latest, first = article.revisions.order_by("-changed_at", "-pk")[:2]
    assert (latest.version, latest.via, latest.changed_by) == (2, "admin", User.objects.get(username="admin"))
    assert (first.version, first.via, first.changed_by) == (1, "import_kb", None)
    page = admin_client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page
