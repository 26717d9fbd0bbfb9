"""The Block Kit limits Slack enforces on messages and views, checked as Slack words them."""

from __future__ import annotations

from typing import Any

from bot.demo.fake_slack.params import ApiError, optional_str, problems

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150


def message_content(
    params: dict[str, Any],
) -> tuple[str, list[dict[str, Any]] | None, dict[str, Any] | None]:
    """Validate text, blocks and metadata of a chat.* call; blocks/metadata are None if absent."""
    text = optional_str(params.get("text")) or ""
    raw_blocks = params.get("blocks")
    blocks: list[dict[str, Any]] | None = None
    if raw_blocks is not None:
        found = block_problems(raw_blocks, MAX_MESSAGE_BLOCKS, "/blocks")
        if found:
            raise ApiError("invalid_blocks", {"errors": found, **problems(found)})
        blocks = list(raw_blocks)
    if not text.strip() and not blocks and not params.get("attachments"):
        raise ApiError("no_text")
    if len(text) > MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    metadata = params.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ApiError("invalid_metadata_format")
    return text, blocks, metadata


def required_view(params: dict[str, Any]) -> dict[str, Any]:
    view = params.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", problems(["missing required field: view"]))
    found = block_problems(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks")
    if found:
        raise ApiError("invalid_arguments", problems(found))
    return view


def block_problems(blocks: Any, limit: int, pointer: str) -> list[str]:
    """Slack-style problem strings for a blocks array; empty when the blocks are acceptable."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    if len(blocks) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    found: list[str] = []
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            found.append(f"missing required field: type [json-pointer:{where}]")
        elif block["type"] == "section":
            found.extend(_section_problems(block, where))
        elif block["type"] == "header":
            found.extend(_text_problems(block.get("text"), MAX_HEADER_TEXT, f"{where}/text"))
    return found


def _section_problems(block: dict[str, Any], where: str) -> list[str]:
    found: list[str] = []
    if "text" in block:
        found.extend(_text_problems(block["text"], MAX_SECTION_TEXT, f"{where}/text"))
    fields = block.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > MAX_SECTION_FIELDS:
            found.append(
                f"no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{where}/fields]"
            )
        else:
            for i, item in enumerate(fields):
                found.extend(_text_problems(item, MAX_FIELD_TEXT, f"{where}/fields/{i}"))
    return found


def _text_problems(text_object: Any, limit: int, where: str) -> list[str]:
    if not isinstance(text_object, dict) or not isinstance(text_object.get("text"), str):
        return [f"must be a text object [json-pointer:{where}]"]
    length = len(text_object["text"])
    if length == 0:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if length > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []
