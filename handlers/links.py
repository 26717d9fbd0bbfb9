"""/meeting screen, publish: the room's screen and the public record's links."""

from __future__ import annotations

from bot.commands.links import LinkRequest, Publish, ShowScreen
from bot.domain.links import LinkKind, PublishMode
from bot.render import links as render_links
from bot.render.blocks import Message
from bot.services.links import LinkService
from bot.services.lookups import Caller
from handlers.listening import MeetingRouter


async def run(
    links: LinkService, base_url: str | None, caller: Caller, request: LinkRequest
) -> Message:
    match request:
        case ShowScreen(rotate):
            grant = await links.screen(caller, rotate=rotate)
            assert grant.token is not None
            url = render_links.link_for(base_url, LinkKind.SCREEN, grant.token)
            return render_links.screen_link(url, base_url, issued=grant.issued, rotated=rotate)
        case Publish(mode):
            grant = await links.publish(caller, mode)
            if grant.token is None:
                return render_links.record_unpublished(was_public=grant.revoked)
            url = render_links.link_for(base_url, LinkKind.RECORD, grant.token)
            return render_links.record_published(
                url, base_url, issued=grant.issued, rotated=mode is PublishMode.ROTATE
            )


def register(router: MeetingRouter, links: LinkService, base_url: str | None) -> None:
    async def run_request(caller: Caller, request: LinkRequest) -> Message:
        return await run(links, base_url, caller, request)

    router.route(LinkRequest, run_request)
