"""A person's walk through the site: every same-origin link and GET form reachable from the landing page.

The walker reads each page as a browser would show it (links, `hx-get` targets, GET forms
with their default values) and checks what a person would meet: no server error, no Python
exception text, no link to a page that does not exist, and no English word of the
interface. Pages of the same shape (`/people/123/` and `/people/456/`, `/committees/BT-B01/` and `/committees/BT-B02/`) are visited a few
times, not once per record, so a walk over the demo city stays quick.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client

# Paths a walk does not follow: they change state on GET (log-out and script switches are
# POST or redirect back), serve files, or are the API (covered by its own tests).
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/accounts/logout", "/accounts/script/")
# Downloads are opened, so they must not fail, but their bytes are not HTML.
HTML_TYPES = ("text/html",)

# A list longer than this is the tree shipped to the browser: organisations and people are
# chosen with a picker (lib/pickers.py), which searches instead.
MAX_SELECT_OPTIONS = 200

# What marks a Python exception that leaked into a page.
EXCEPTION_TEXT = re.compile(
    r"Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|DoesNotExist"
    r"|NoReverseMatch|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|Decimal\("
)
# English words a Chinese interface may show: codes, units, product and format names.
ALLOWED_WORDS = {
    # formats and products a court user knows by these names
    "excel",
    "xlsx",
    "csv",
    "pdf",
    "word",
    "docx",
    "txt",
    "api",
    "a4",
    "openapi",
    "json",
    "token",
    "id",
    "ip",
    "url",
    "http",
    "https",
    "echarts",
    "opencc",
    "htmx",
    # units
    "kb",
    "mb",
    "gb",
    "cpm",
    # the pinyin search's own example (typing "zhq" finds 张华庆)
    "zhq",
    # keys on a keyboard, as forms name them (按住 Ctrl 键多选)
    "ctrl",
    "shift",
    # the product and demo accounts (usernames are names, not interface words)
    "tianping",
    "admin",
    "zhengzhibu",
    "dangwei",
    "shuji",
    "dangyuan",
    "yuanzhang",
}
# A developer's rule id (R1.5, D7): a court user reads regulations by name and article.
RULE_ID = re.compile(r"(?<![A-Za-z0-9_-])[RD][1-9]\.?[0-9]*(?=[\s，。；、）)：:]|$)")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
# A code as courts write them (BT-JY-B01, JY0005, 2024-Q1) is a name, not a word.
CODE = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b|\b[A-Z]{1,6}(?:-[A-Z0-9]+)+\b|\b[A-Z]{2,6}\b"
)
# Path segments that name one record: a number, an org code (BT-JY-B01), a date or month.
RECORD_SEGMENT = re.compile(r"/(?:\d+|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*|\d{4}-\d{2}(?:-\d{2})?)(?=/|$)")


class _Page(HTMLParser):
    """Links, GET forms and the visible text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.text: list[str] = []
        self._skip = 0  # inside <script>, <style> or <noscript>
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._options = 0
        self.select_sizes: list[tuple[str, int]] = []  # every <select>'s name and option count

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        for key in ("href", "hx-get"):
            if attrs.get(key) and tag != "link":
                self.links.append(attrs[key])
        for key in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(key):
                self.text.append(attrs[key])
        if tag == "form":
            if attrs.get("method", "get").lower() == "get" and "hx-post" not in attrs:
                self._form = (attrs.get("action", ""), [])
            else:
                self._form = None
        elif tag == "input" and self._form is not None:
            kind = attrs.get("type", "text")
            if attrs.get("name") and kind not in ("submit", "button", "file", "reset"):
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self._form[1].append((attrs["name"], attrs.get("value", "")))
        elif tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])
        if tag == "select":
            self._options = 0
            self.select_sizes.append((attrs.get("name") or attrs.get("id", ""), 0))
        elif tag == "option" and self.select_sizes:
            self._options += 1
        if tag == "select" and self._form is not None and attrs.get("name"):
            self._select, self._select_value = attrs["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in attrs:
                self._select_value = attrs.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select_sizes:
            self.select_sizes[-1] = (self.select_sizes[-1][0], self._options)
        if tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag == "select" and self._select is not None:
            if self._form is not None:
                self._form[1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data)


def english_words(text: str) -> list[str]:
    """Interface words in Latin letters that are neither codes, units nor product names."""
    text = CODE.sub(" ", text)
    return [w for w in WORD.findall(text) if w.lower() not in ALLOWED_WORDS]


def shape(url: str) -> str:
    """What makes two URLs the same page: the path with ids folded, and the query's keys."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return RECORD_SEGMENT.sub("/<id>", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Problem:
    url: str
    what: str
    found_on: str

    def __str__(self) -> str:
        return f"{self.url}: {self.what} (linked from {self.found_on})"


@dataclass
class Walk:
    persona: str
    visited: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Walker:
    client: Client
    persona: str
    per_shape: int = 3  # how many URLs of one shape to open
    limit: int = 1500  # pages at the most, so a runaway link set fails loudly, not slowly
    names: set[str] = field(default_factory=set)  # people's and places' names seen in the data
    within: str = "/"  # follow only links below this path

    def walk(self, start: str = "/") -> Walk:
        result = Walk(self.persona)
        queue: deque[tuple[str, str, bool]] = deque([(start, "(start)", False)])
        seen: set[str] = {start}
        shapes: Counter[str] = Counter()
        while queue and len(result.visited) < self.limit:
            url, found_on, partial = queue.popleft()
            headers = {"HTTP_HX_REQUEST": "true"} if partial else {}
            response = self.client.get(url, follow=True, **headers)
            result.visited.append(url)
            result.statuses[response.status_code] += 1
            if response.status_code >= 500:
                result.problems.append(Problem(url, f"answers {response.status_code}", found_on))
                continue
            if response.status_code == 404:
                result.problems.append(Problem(url, "a link to a page that is not there", found_on))
                continue
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith(HTML_TYPES):
                continue
            final = response.redirect_chain[-1][0] if response.redirect_chain else url
            page = _Page()
            page.feed(response.content.decode())
            self._check_text(result, url, found_on, page)
            for link, is_partial in self._targets(final, page):
                if link in seen:
                    continue
                seen.add(link)
                key = shape(link)
                if shapes[key] >= self.per_shape:
                    continue
                shapes[key] += 1
                queue.append((link, url, is_partial))
        if queue:
            result.problems.append(Problem(start, f"more than {self.limit} pages", "(walk)"))
        return result

    def _targets(self, base: str, page: _Page) -> list[tuple[str, bool]]:
        targets: list[tuple[str, bool]] = []
        for href in page.links:
            if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
                continue
            targets.append((href, False))
        for action, fields in page.forms:
            query = urlencode([(k, v) for k, v in fields if k != "csrfmiddlewaretoken"])
            targets.append(((action or base.split("?")[0]) + ("?" + query if query else ""), False))
        out: list[tuple[str, bool]] = []
        for target, partial in targets:
            absolute = urljoin(base, target)
            parts = urlsplit(absolute)
            if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP_PREFIXES):
                continue
            if not parts.path.startswith(self.within):
                continue
            out.append((parts.path + ("?" + parts.query if parts.query else ""), partial))
        return out

    def _check_text(self, result: Walk, url: str, found_on: str, page: _Page) -> None:
        for name, options in page.select_sizes:
            if options > MAX_SELECT_OPTIONS:
                result.problems.append(
                    Problem(url, f"a <select> {name!r} with {options} options", found_on)
                )
        text = " ".join(page.text)
        if match := EXCEPTION_TEXT.search(text):
            start = max(0, match.start() - 40)
            result.problems.append(
                Problem(url, f"shows Python text {text[start : match.end() + 40]!r}", found_on)
            )
        if ids := sorted(set(RULE_ID.findall(text))):
            result.problems.append(Problem(url, f"shows rule ids {ids[:8]}", found_on))
        words = [w for w in english_words(text) if w not in self.names]
        if words:
            result.problems.append(
                Problem(url, f"English words {sorted(set(words))[:12]}", found_on)
            )
