"""An indicator's source as readers see it: the plan's `source` text may name sources as Markdown-style links
[title](https://…); pages draw the title as a link, documents print the title alone (no addresses in 公文 prose)."""
from __future__ import annotations

import re
from typing import NamedTuple

from pipelines.present.formatting import plain

LINK = re.compile(r"\[([^\[\]]+)\]\((https?://[^\s()]+)\)")


class Part(NamedTuple):
    text: str
    url: str | None  # the address a title links to; None for plain words


def source_parts(source: str) -> list[Part]:
    """The source text split into plain words and linked titles, in order."""
    parts, at = [], 0
    for match in LINK.finditer(source):
        if match.start() > at:
            parts.append(Part(source[at:match.start()], None))
        parts.append(Part(match.group(1), match.group(2)))
        at = match.end()
    if at < len(source):
        parts.append(Part(source[at:], None))
    return parts


def source_words(source: str) -> str:
    """The source with each link shown as its title only: what the 通报, the pack and exports print."""
    return "".join(part.text for part in source_parts(source))


def source_markdown(source: str) -> str:
    """The source for a page: every word escaped (it is plan data, drawn as typed), each title a link."""
    return "".join(f"[{plain(p.text)}]({p.url})" if p.url else plain(p.text) for p in source_parts(source))
