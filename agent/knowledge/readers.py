"""A support team's own knowledge: Markdown, HTML, and JSON (or JSON lines) {"id", "title", "content"}.

Each file gives documents or a reason it cannot: a bad file never stops the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

MARKDOWN = {".md", ".markdown"}
HTML = {".html", ".htm"}
JSON = {".json"}
JSON_LINES = {".jsonl", ".ndjson"}
SUFFIXES = MARKDOWN | HTML | JSON | JSON_LINES
TITLE_MAX = 200


@dataclass(frozen=True)
class Document:
    source_id: str
    title: str
    content: str  # Markdown-ish text: headings kept as '#' lines
    url: str = ""  # where customers can read it, if anywhere


@dataclass(frozen=True)
class Unreadable:
    name: str  # the file (and line, for JSON lines)
    reason: str


def files_under(paths: list[Path]) -> Iterator[Path]:
    """The files to import: the given files, and the supported files under given folders, in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def read(path: Path, *, root: Path | None, max_bytes: int) -> Iterator[Document | Unreadable]:
    """The documents in one file, or why it (or one of its lines) cannot be imported."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Unreadable(name, f"larger than the {max_bytes:,}-byte limit ({size:,} bytes)")
            return
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        yield Unreadable(name, "no such file")
        return
    except UnicodeDecodeError as error:
        yield Unreadable(name, f"not UTF-8 (byte {error.start})")
        return
    except OSError as error:
        yield Unreadable(name, f"cannot be read ({error.strerror})")
        return
    if not text.strip():
        yield Unreadable(name, "empty")
        return
    suffix = path.suffix.lower()
    default_id = _relative(path, root)
    if suffix in MARKDOWN:
        yield _checked(name, *_markdown(text, default_id))
    elif suffix in HTML:
        yield _checked(name, *_html(text, default_id))
    elif suffix in JSON:
        yield from _json(name, text)
    elif suffix in JSON_LINES:
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield from _json(f"{name}, line {number}", line, lines=True)
    else:
        yield Unreadable(name, f"not a supported kind of file ({', '.join(sorted(SUFFIXES))})")


def _relative(path: Path, root: Path | None) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) if root else path.name
    except ValueError:
        return path.name


def _checked(name: str, source_id: str, title: str, content: str) -> Document | Unreadable:
    title = " ".join(title.split())
    content = content.strip()
    if not title:
        return Unreadable(name, "no title (front matter `title:` or a first heading)")
    if not content:
        return Unreadable(name, "no content")
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    return Document(source_id=source_id.strip(), title=title, content=content)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _markdown(text: str, default_id: str) -> tuple[str, str, str]:
    meta: dict[str, object] = {}
    found = _FRONT_MATTER.match(text)
    if found:
        try:
            loaded = yaml.safe_load(found.group(1))
        except yaml.YAMLError:
            loaded = None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[found.end() :]
    title = str(meta.get("title") or "")
    if not title:
        heading = _HEADING.search(text)
        if heading:
            title = heading.group(1)
            text = text[: heading.start()] + text[heading.end() :]
    return str(meta.get("id") or default_id), title, text


def _json(name: str, text: str, *, lines: bool = False) -> Iterator[Document | Unreadable]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield Unreadable(name, f"invalid JSON ({error.msg} at line {error.lineno}, column {error.colno})")
        return
    items = data if isinstance(data, list) and not lines else [data]
    for index, item in enumerate(items):
        where = f"{name}, item {index + 1}" if len(items) > 1 else name
        if not isinstance(item, dict):
            yield Unreadable(where, 'expected an object with "id", "title" and "content"')
            continue
        source_id, title, content = item.get("id"), item.get("title"), item.get("content")
        if not isinstance(source_id, str | int) or not str(source_id).strip():
            yield Unreadable(where, 'no "id"')
            continue
        if not isinstance(title, str) or not isinstance(content, str):
            yield Unreadable(where, '"title" and "content" must be strings')
            continue
        yield _checked(where, str(source_id), title, content)


class _HtmlText(HTMLParser):
    """Visible text of an HTML page, with headings as Markdown '#' lines and blocks as paragraphs; scripts,
    styles and other invisible parts dropped."""

    BLOCKS = {"p", "div", "section", "article", "li", "tr", "br", "ul", "ol", "table", "blockquote", "pre"}
    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.first_h1 = ""
        self._hidden = 0
        self._in_title = False
        self._heading: int | None = None
        self._heading_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading, self._heading_text = int(tag[1]), []
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag != "li" else "\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag == "title":
            self._in_title = False
        elif self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            text = " ".join("".join(self._heading_text).split())
            if self._heading == 1 and not self.first_h1:
                self.first_h1 = text
            elif text:
                self.parts.append(f"\n\n{'#' * self._heading} {text}\n\n")
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._in_title:
            self.title += data
        elif self._heading is not None:
            self._heading_text.append(data)
        else:
            self.parts.append(data)


def _html(text: str, default_id: str) -> tuple[str, str, str]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    body = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    body = re.sub(r"\n\s*\n\s*(\n\s*)+", "\n\n", body)
    lines = "\n".join(line.strip() for line in body.splitlines())
    return default_id, parser.first_h1 or parser.title, lines


def html_document(name: str, source_id: str, title: str, html: str, url: str = "") -> Document | Unreadable:
    """A document from an HTML body fetched elsewhere (a Help Center article) with its own title and link."""
    _, first_heading, content = _html(html, source_id)
    document = _checked(name, source_id, title or first_heading, content)
    return (
        Document(document.source_id, document.title, document.content, url)
        if isinstance(document, Document)
        else document
    )
