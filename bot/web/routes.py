"""The web routes: the room's screen (a page and its event stream), the public record (a
page and its Markdown and CSV), and their two static files. Each token route answers a plain
404 for a token that leads nowhere, and 429 to an address that has guessed too often;
nothing else of the database is reachable. Every answer forbids other origins' resources."""

from __future__ import annotations

import json
import time
from importlib import resources

from aiohttp import web

from bot.render.meeting_record import build_record
from bot.services.links import LinkService
from bot.web import html_page, record_view, views
from bot.web.limiter import GuessLimiter
from bot.web.live import Gone, Heartbeat, ScreenFeed

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
        " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token in the address never leaves in a Referer
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
RECONNECT_MS = 500  # how soon a screen whose stream dropped asks again
STATIC = {
    "plenary.css": "text/css",
    "screen.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}


def _static_files() -> dict[str, bytes]:
    folder = resources.files("bot.web") / "static"
    return {name: (folder / name).read_bytes() for name in STATIC}


class WebRoutes:
    def __init__(self, links: LinkService, limiter: GuessLimiter | None = None) -> None:
        self._links = links
        self._limiter = limiter or GuessLimiter(time.monotonic)
        self._feed = ScreenFeed(self._screen_view)
        self._static = _static_files()

    def add_to(self, application: web.Application) -> None:
        application.add_routes(
            [
                web.get("/screen/{token}", self.screen),
                web.get("/screen/{token}/events", self.events),
                web.get("/record/{token}", self.record),
                web.get("/record/{token}/record.md", self.record_markdown),
                web.get("/record/{token}/record.csv", self.record_csv),
                web.get("/static/{name}", self.static),
            ]
        )
        application.on_shutdown.append(self._close)

    async def _close(self, _: web.Application) -> None:
        await self._feed.close()

    async def _screen_view(self, token: str) -> str | None:
        state = await self._links.screen_state(token)
        return None if state is None else views.screen_body(state)

    # ---- answers ----------------------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        address = request.remote or "unknown"
        if not self._limiter.refused(address):
            return None
        return web.Response(
            status=429,
            text="Too many requests",
            headers={**SECURITY_HEADERS, "Retry-After": str(self._limiter.retry_after(address))},
        )

    def _not_found(self, request: web.Request) -> web.Response:
        self._limiter.missed(request.remote or "unknown")
        return web.Response(status=404, text="Not found", headers=SECURITY_HEADERS)

    @staticmethod
    def _html(page: str) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers=SECURITY_HEADERS)

    # ---- the screen -------------------------------------------------------------------

    async def screen(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if (refused := self._refusal(request)) is not None:
            return refused
        state = await self._links.screen_state(token)
        if state is None:
            return self._not_found(request)
        events = f"/screen/{token}/events"
        return self._html(views.screen_page(state, self._links.now(), events))

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: the screen's live part, whole, each time it changes."""
        token = request.match_info["token"]
        if (refused := self._refusal(request)) is not None:
            return refused
        if await self._links.screen_state(token) is None:
            return self._not_found(request)
        response = web.StreamResponse(
            headers={
                **SECURITY_HEADERS,
                "Content-Type": "text/event-stream; charset=utf-8",
                "X-Accel-Buffering": "no",  # proxies pass each event on at once
            }
        )
        await response.prepare(request)
        try:
            await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
            async for view in self._feed.follow(token):
                if isinstance(view, Heartbeat):
                    await response.write(b": still here\n\n")
                elif isinstance(view, Gone):
                    await response.write(b"event: gone\ndata: {}\n\n")
                    break
                else:
                    now = html_page.epoch(self._links.now())
                    data = json.dumps({"now": float(now), "html": view})
                    await response.write(f"event: state\ndata: {data}\n\n".encode())
        except ConnectionResetError:
            pass  # the screen went away
        return response

    # ---- the record -------------------------------------------------------------------

    async def record(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if (refused := self._refusal(request)) is not None:
            return refused
        published = await self._links.public_record(token)
        if published is None:
            return self._not_found(request)
        files = f"/record/{token}/record"
        return self._html(record_view.record_page(published, self._links.now(), files))

    async def _record_files(self, request: web.Request) -> tuple[str, str] | web.Response:
        token = request.match_info["token"]
        if (refused := self._refusal(request)) is not None:
            return refused
        published = await self._links.public_record(token)
        if published is None:
            return self._not_found(request)
        return build_record(
            published.meeting,
            published.items,
            published.decisions,
            published.positions,
            self._links.now(),
            published.turns,
            published.votes,
            public=True,
        )

    async def record_markdown(self, request: web.Request) -> web.StreamResponse:
        files = await self._record_files(request)
        if isinstance(files, web.Response):
            return files
        return web.Response(
            text=files[0],
            content_type="text/markdown",
            headers={**SECURITY_HEADERS, "Content-Disposition": 'inline; filename="record.md"'},
        )

    async def record_csv(self, request: web.Request) -> web.StreamResponse:
        files = await self._record_files(request)
        if isinstance(files, web.Response):
            return files
        return web.Response(
            text=files[1],
            content_type="text/csv",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": 'attachment; filename="record.csv"',
            },
        )

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        body = self._static.get(name)
        if body is None:
            return web.Response(status=404, text="Not found", headers=SECURITY_HEADERS)
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=300"}
        return web.Response(body=body, content_type=STATIC[name], headers=headers)
