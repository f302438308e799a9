"""mkdocs hooks for the documentation site: one copy of each text.

The README is the front page on the code host and on the site, and
CHANGELOG.md and LICENSE belong at the repository root. Their pages in
docs/ are stubs that point there (what a reader browsing docs/ follows);
at build time this hook gives each stub's page the root file's text, with
the README's links, written from the repository root, made relative to
docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent

# A page of docs/ and the root file whose text it shows.
PAGES = {"index.md": "README.md", "changelog.md": "CHANGELOG.md", "license.md": "LICENSE"}
ROOT_LINK = re.compile(r"\]\((docs/|CHANGELOG\.md|LICENSE)")
LINK_ON_THE_SITE = {"docs/": "", "CHANGELOG.md": "changelog.md", "LICENSE": "license.md"}


def on_page_markdown(markdown: str, *, page: Page, **_: object) -> str:
    source = PAGES.get(page.file.src_uri)
    if source is None:
        return markdown
    text = (ROOT / source).read_text(encoding="utf-8")
    if source == "LICENSE":
        return f"# License\n\n```text\n{text}```\n"
    return ROOT_LINK.sub(lambda link: "](" + LINK_ON_THE_SITE[link[1]], text)
