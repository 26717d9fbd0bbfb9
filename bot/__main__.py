"""The command line: ``python -m bot socket | serve [--port N] | demo | check``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys

from aiohttp import web

from bot import logs
from bot.app import Plenary, build
from bot.config import Settings
from bot.domain.errors import ConfigError
from bot.domain.model import Notice
from bot.serving import connect_socket_mode, web_app

log = logging.getLogger("bot")
FAILURES_SHOWN = 10


async def serve(settings: Settings) -> None:
    plenary = await build(settings)
    # The bot logs one structured line per request itself; aiohttp's access log would
    # duplicate it in another format.
    runner = web.AppRunner(web_app(plenary), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host=settings.host, port=settings.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else settings.port
    log.info("listening", extra={"host": settings.host, "port": port, "mode": "serve"})
    # Commands are answered while the catch-up after downtime runs: it may have many
    # deadlines and digests to handle, and Slack gives each request 3 seconds.
    await plenary.start()
    _tune_garbage_collection()
    try:
        await _until_signalled()
    finally:
        log.info("shutting down: finishing requests in flight")
        await runner.cleanup()  # stops accepting, waits for handlers still running
        await _deliver_what_is_due(plenary)
        await plenary.close()
        log.info("stopped")


def _tune_garbage_collection() -> None:
    """Objects built at start-up live for the process: freeze them out of collection, and
    collect the young generation less often. Profiling an objection burst showed the cyclic
    collector taking an eighth of the request time with Python's defaults."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


async def _deliver_what_is_due(plenary: Plenary) -> None:
    """Give announcements owed a few seconds to go out; what is left stays in the outbox
    and is delivered at the next start."""
    try:
        await asyncio.wait_for(plenary.announcer.drain(), timeout=5)
    except TimeoutError:
        log.warning("announcements left in the outbox for the next start")


async def socket(settings: Settings) -> None:
    plenary = await build(settings)
    await plenary.start()
    _tune_garbage_collection()
    handler = await connect_socket_mode(plenary, settings.app_token)
    log.info("connected", extra={"mode": "socket"})
    try:
        await _until_signalled()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await plenary.close()
        log.info("stopped")


async def check(settings: Settings) -> int:
    try:
        plenary = await build(settings)
    except Exception as exc:
        print(f"database: cannot open {settings.database_shown}: {exc}")
        return 1
    try:
        integrity = await plenary.db.integrity_check()
        if integrity != "ok":
            print(f"database: integrity check failed: {integrity}")
            return 1
        print(f"database: ok ({settings.database_shown})")
        _print_failed_notices(await plenary.announcer.failures(FAILURES_SHOWN))
        print(settings.mode_line)
        if plenary.replicas is not None:
            print(
                "replicas: may share this database; each sweeps due work every"
                f" {settings.sweep_every.total_seconds():g} s (PLENARY_SWEEP_SECONDS) and hears"
                " the others' deadlines over LISTEN/NOTIFY; a meeting's notices go out under a"
                f" {settings.delivery_lease.total_seconds():g} s lease"
                " (PLENARY_DELIVERY_LEASE_SECONDS)"
            )
        if settings.multi_workspace:
            installed = await plenary.store.query(lambda uow: uow.workspaces.count_installations())
            print(f"workspaces: {installed} installed")
        return 0
    finally:
        await plenary.close()


def _print_failed_notices(failed: list[Notice]) -> None:
    """Announcements that failed and are not delivered since: not a fault of this
    installation's settings, so they do not fail the check, but an operator should know."""
    if not failed:
        print("notices: none failed")
        return
    print(
        f"notices: {len(failed)} failed and not delivered since (newest first, at most"
        f" {FAILURES_SHOWN}):"
    )
    for notice in failed:
        when = notice.failed_at.isoformat(timespec="seconds") if notice.failed_at else "?"
        plan = (
            f"retried at {notice.next_attempt_at.isoformat(timespec='seconds')}"
            if notice.next_attempt_at
            else "not retried"
        )
        print(
            f"  notice {notice.id} ({notice.kind.value} in {notice.channel_id}) failed {when}"
            f" after {notice.attempts} attempt(s), {plan}: {logs.redact(notice.last_error or '')}"
        )


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="mode", required=True)
    serve_parser = sub.add_parser("serve", help="HTTP mode: Slack posts to /slack/events")
    serve_parser.add_argument("--port", type=int, default=None)
    sub.add_parser("socket", help="Socket Mode")
    sub.add_parser("demo", help="the offline demo of a whole meeting")
    sub.add_parser("check", help="verify configuration and database")
    args = parser.parse_args(argv)
    # The demo prints the channel; only warnings and errors should interleave with it.
    logs.configure(logging.WARNING if args.mode == "demo" else logging.INFO)
    if args.mode == "demo":
        from bot.demo.story import run_demo

        return int(asyncio.run(run_demo()))
    try:
        settings = Settings.from_env(args.mode, port=getattr(args, "port", None))
        if args.mode == "serve":
            asyncio.run(serve(settings))
        elif args.mode == "socket":
            asyncio.run(socket(settings))
        else:
            return asyncio.run(check(settings))
    except ConfigError as exc:
        print(f"plenary: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
