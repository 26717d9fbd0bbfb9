"""The floor to compare with: a bare Bolt app whose ``/object`` handler only acknowledges.

Served exactly as the product is (Bolt ``AsyncApp`` behind aiohttp via Bolt's adapter, the
signature verified, ``process_before_response=True``, a fixed ``authorize`` so no
``auth.test``): ``python -m bench.bare_app --port N`` with ``SLACK_SIGNING_SECRET`` set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck

BOT_TOKEN = "xoxb-fake"


def reference_app(signing_secret: str) -> AsyncApp:
    """A Bolt app configured as the product's is, with no listener yet."""

    async def authorize(
        enterprise_id: str | None, team_id: str | None, **_: Any
    ) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=BOT_TOKEN)

    return AsyncApp(
        signing_secret=signing_secret,
        authorize=authorize,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )


def bare_app(signing_secret: str) -> AsyncApp:
    app = reference_app(signing_secret)

    @app.command("/object")
    async def on_object(ack: AsyncAck) -> None:
        await ack()

    return app


def web_app(app: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    application = web.Application()
    application.add_routes([web.post("/slack/events", events), web.get("/healthz", healthz)])
    return application


async def serve(port: int, app: AsyncApp) -> None:
    """Serve ``app`` on the loopback ``port`` until SIGTERM or SIGINT."""
    runner = web.AppRunner(web_app(app), handle_signals=False, access_log=None)  # as the bot
    await runner.setup()
    await web.TCPSite(runner, host="127.0.0.1", port=port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def server_arguments(
    parser: argparse.ArgumentParser, argv: list[str] | None
) -> tuple[argparse.Namespace, str]:
    """The parsed command line (``--port N`` added to ``parser``) and the signing secret
    from ``SLACK_SIGNING_SECRET``; exits with 2 if the secret is missing."""
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    secret = os.environ.get("SLACK_SIGNING_SECRET", "").strip()
    if not secret:
        print(f"{parser.prog}: SLACK_SIGNING_SECRET is not set", file=sys.stderr)
        raise SystemExit(2)
    return args, secret


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_app", description=__doc__)
    args, secret = server_arguments(parser, argv)
    asyncio.run(serve(args.port, bare_app(secret)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
