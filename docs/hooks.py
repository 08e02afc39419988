"""MkDocs hook: a page may include a section of the README, so the site and the README
say one thing once.

A line `<!-- README: <heading> -->` in a page is replaced by the README's section of
that `## ` heading, its headings one level lower and its `docs/...` links made
relative to the site's pages. Any other relative link in the section, or a heading
the README lacks, fails the build with a sentence saying so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = re.compile(r"^<!-- README: (.+?) -->$", re.MULTILINE)
LINK = re.compile(r"\]\((?!https?://|#)([^)]*)\)")


def readme_section(heading: str, page_path: str = "index.md") -> str:
    """The README's `## heading` section, without the heading, for the page at
    `page_path` (relative to docs/)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.DOTALL | re.M)
    if match is None:
        raise ValueError(f"README.md has no section '## {heading}'; fix the page's marker.")
    body = re.sub(r"^(#{3,}) ", r"#\1 ", match.group(1), flags=re.MULTILINE)
    up = "../" * page_path.count("/")

    def relative(link: re.Match[str]) -> str:
        target = link.group(1)
        if not target.startswith("docs/"):
            raise ValueError(
                f"README.md links to {target!r}, which the site does not have; "
                "link a page under docs/ or a full URL."
            )
        return f"]({up}{target.removeprefix('docs/')})"

    return LINK.sub(relative, body).strip() + "\n"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """MkDocs event: replace each README marker of a page by that section."""
    path = str(page.file.src_uri)
    return MARKER.sub(lambda m: readme_section(m.group(1), path), markdown)
