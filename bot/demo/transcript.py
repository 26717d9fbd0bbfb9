"""Shows Slack messages as a reader sees them: blocks flattened to text, dates resolved."""

from __future__ import annotations

import re
from typing import Any

_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def readable(mrkdwn: str, names: dict[str, str]) -> str:
    text = _DATE.sub(lambda m: m.group(1), mrkdwn)
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = text.replace("\u2060", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind in ("section", "header"):
        return [str(block.get("text", {}).get("text", ""))]
    if kind == "context":
        return ["  " + " ".join(str(e.get("text", "")) for e in block.get("elements", []))]
    if kind == "divider":
        return ["  ----"]
    if kind == "actions":
        labels = [str(e.get("text", {}).get("text", "")) for e in block.get("elements", [])]
        return ["  [" + "] [".join(labels) + "]"]
    return []


def render_message(text: str, blocks: list[dict[str, Any]], names: dict[str, str]) -> str:
    lines = [line for b in blocks for line in block_lines(b)] if blocks else [text]
    return "\n".join(readable(line, names) for line in lines)


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
