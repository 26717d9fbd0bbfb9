"""The composition root: the only module that knows the concrete classes and wires them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.delivery.announcer import Announcer
from bot.delivery.workspace_clients import OneWorkspace, WorkspaceClients
from bot.installs.authorize import StoredAuthorize
from bot.installs.clients import InstalledWorkspaces
from bot.installs.rotation import TokenRotation
from bot.installs.sealing import TokenSeal
from bot.installs.stores import PlenaryInstallationStore, PlenaryStateStore
from bot.ports.clock import Clock, SystemClock
from bot.ports.store import Planner, Store
from bot.render import answers
from bot.requestlog import LoggedApp
from bot.scheduling.planner import ApsPlanner
from bot.scheduling.replicas import ReplicaTimekeeping
from bot.services.deliveries import Deliveries
from bot.services.floor import FloorService
from bot.services.home import HomeService
from bot.services.items import ItemService
from bot.services.links import LinkService
from bot.services.positions import PositionService
from bot.services.procedure import ProcedureService
from bot.services.sessions import ScheduleService
from bot.services.setup import SetupService
from bot.services.timekeeper import Timekeeper
from bot.services.votes import VoteService
from bot.services.workspaces import WorkspaceService
from handlers import (
    cards,
    errors,
    floor as floor_handlers,
    home,
    links as links_handlers,
    meeting,
    motions,
    objections,
    procedure as procedure_handlers,
    sessions as sessions_handlers,
    votes as votes_handlers,
    workspaces as workspace_handlers,
)
from handlers.listening import MeetingRouter
from storage.postgres.database import Database as PostgresDatabase, is_postgres_url
from storage.postgres.hints import PostgresHints
from storage.postgres.leases import PostgresDeliveryLeases
from storage.postgres.store import PostgresStore
from storage.sqlite.database import Database as SqliteDatabase, sqlite_path
from storage.sqlite.store import SqliteStore

log = logging.getLogger(__name__)

# The bot scopes an install asks for: manifest.yml's oauth_config.scopes.bot (a test keeps
# them equal). No user scopes: Plenary keeps no user tokens.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:history",
    "groups:history",
    "files:write",
)


@dataclass
class Plenary:
    """A running bot: the Bolt app, its database, services and announcer."""

    app: AsyncApp
    db: SqliteDatabase | PostgresDatabase
    store: Store  # the database seen through the ports, as every service sees it
    setup: SetupService
    items: ItemService
    positions: PositionService
    announcer: Announcer
    client: AsyncWebClient
    schedule: ScheduleService
    timekeeper: Timekeeper
    planner: ApsPlanner
    # Replicas sharing a PostgreSQL database: jobs hinted to one another, periodic sweeps.
    replicas: ReplicaTimekeeping | None
    floor: FloorService
    votes: VoteService
    workspaces: WorkspaceService
    links: LinkService  # the room's screen and the public record
    # For what Slack sends outside Bolt's dispatch (ssl_check); None in Socket Mode, which
    # has no signing secret and no HTTP endpoint.
    verifier: SignatureVerifier | None

    async def start(self) -> None:
        """Deliver what is owed, catch up on what fell due while down, then keep time."""
        self.announcer.start()
        sweep = await self.timekeeper.run_due()
        planned = await self.timekeeper.plan_all()
        if self.replicas is not None:
            self.replicas.start()
        self.planner.start()
        log.info(
            "timekeeping started",
            extra={"caught_up_decisions": len(sweep.decided), "jobs_planned": planned},
        )

    async def close(self) -> None:
        self.planner.shutdown()
        if self.replicas is not None:
            await self.replicas.stop()
        await self.announcer.stop()
        await self.db.close()


def web_client(settings: Settings) -> AsyncWebClient:
    """The announcer's client. No connection-error retry handler: a post whose connection
    dropped after Slack accepted it would be sent twice; the announcer retries those from its
    outbox instead. No rate-limit retry handler either, which would sleep out Retry-After
    inside the call while the meeting's delivery lease is held: the announcer turns a 429
    into a later attempt time."""
    return AsyncWebClient(
        token=settings.bot_token or None,
        base_url=settings.api_url or AsyncWebClient.BASE_URL,
        timeout=10,
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=2)],
    )


def listener_web_client(delivery: AsyncWebClient) -> AsyncWebClient:
    """The listeners' client (Bolt gives it the token from authorize()): a request's own
    calls (a form opened, a private answer) wait out a short rate limit, as the user waits."""
    return AsyncWebClient(
        base_url=delivery.base_url,
        timeout=delivery.timeout,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=5),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


async def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    pace_seconds: float = 1.0,
) -> Plenary:
    """Open the database and assemble the app; nothing is started or sent yet."""
    clock = clock or SystemClock()
    db: SqliteDatabase | PostgresDatabase
    store: Store
    if is_postgres_url(settings.database_url):
        db = await PostgresDatabase.open(settings.database_url)
        store = PostgresStore(db)
    else:
        db = await SqliteDatabase.open(sqlite_path(settings.database_url))
        store = SqliteStore(db)
    try:
        return _assemble(settings, clock, db, store, pace_seconds)
    except BaseException:
        await db.close()  # nothing half-built keeps the database open
        raise


def _assemble(
    settings: Settings,
    clock: Clock,
    db: SqliteDatabase | PostgresDatabase,
    store: Store,
    pace_seconds: float,
) -> Plenary:
    client = web_client(settings)
    # Listeners get a client carrying the token from authorize(); this one has none.
    listener_client = listener_web_client(client)
    clients: WorkspaceClients = OneWorkspace(client)
    authorize: Any = _single_workspace_authorize(settings.bot_token)
    oauth_settings: AsyncOAuthSettings | None = None
    if settings.multi_workspace:
        seal = TokenSeal(settings.token_key)
        installations = PlenaryInstallationStore(store, seal, clock)
        rotation = TokenRotation(
            store,
            installations,
            clock,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            client=listener_client,
        )
        clients = InstalledWorkspaces(store, seal, client, rotation)
        authorize = StoredAuthorize(store, installations, rotation)
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            installation_store=installations,
            installation_store_bot_only=True,
            state_store=PlenaryStateStore(store, clock),
            # /slack/install goes straight to Slack's consent page ("Add to Slack").
            install_page_rendering_enabled=False,
        )
    announcer = Announcer(
        store,
        clients,
        clock,
        pace_seconds=pace_seconds,
        # Replicas may share a PostgreSQL database: a meeting's notices go out from the one
        # holding its lease. A SQLite file is served by one process, which needs none.
        leases=PostgresDeliveryLeases(db) if isinstance(db, PostgresDatabase) else None,
        lease=settings.delivery_lease,
    )
    local = ApsPlanner()
    # The timekeeper plans on this process alone (every replica's does the same from the
    # database); what the services plan on a replica is hinted to the others.
    timekeeper = Timekeeper(store, clock, local, notify=announcer.wake)
    local.set_on_fire(timekeeper.run_due)
    replicas: ReplicaTimekeeping | None = None
    planner: Planner = local
    if isinstance(db, PostgresDatabase):
        hints = PostgresHints(db, settings.database_url)
        replicas = ReplicaTimekeeping(local, hints, timekeeper.resync, settings.sweep_every)
        planner = replicas.planner
    setup = SetupService(store, clock, notify=announcer.wake, planner=planner)
    items = ItemService(store, clock, notify=announcer.wake, planner=planner)
    positions = PositionService(store, clock, notify=announcer.wake, planner=planner)
    schedule = ScheduleService(store, clock, planner, notify=announcer.wake)
    homes = HomeService(store, clock, notify=announcer.wake)
    procedure = ProcedureService(store, clock, planner, notify=announcer.wake)
    floor = FloorService(store, clock, planner, notify=announcer.wake)
    votes = VoteService(store, clock, planner, notify=announcer.wake)
    workspaces = WorkspaceService(
        store, clock, planner, notify=announcer.wake, retention=settings.retention
    )
    # Socket Mode (an app token) serves no HTTP: there the links are refused, not given.
    links = LinkService(store, clock, served=not settings.app_token)

    app = LoggedApp(
        client=listener_client,
        signing_secret=settings.signing_secret or None,
        authorize=authorize,
        oauth_settings=oauth_settings,
        user_facing_authorize_error_message=answers.NOT_INSTALLED,
        process_before_response=True,
        ssl_check_enabled=False,  # answered below, after the signature is verified
        raise_error_for_unhandled_request=False,
    )
    # No global middleware, and the listeners a burst hits first: Bolt runs every global
    # middleware, and tries each listener's matcher in turn, building keyword arguments for
    # each, on every request (a third of the objection's time before this order).
    router = MeetingRouter()
    objections.register(app, positions, setup)
    votes_handlers.register(app, router, votes, items, setup)
    cards.register(app, items, positions)
    sessions_handlers.register(router, schedule)
    procedure_handlers.register(router, procedure)
    floor_handlers.register(app, router, floor, setup, clock)
    links_handlers.register(router, links, settings.public_url)
    meeting.register(app, setup, items, router)
    motions.register(app, items, setup)
    home.register(app, items, homes, Deliveries(store, clock))
    if settings.multi_workspace:
        workspace_handlers.register(app, workspaces)
    errors.register(app)
    return Plenary(
        app=app,
        db=db,
        store=store,
        setup=setup,
        items=items,
        positions=positions,
        announcer=announcer,
        client=client,
        schedule=schedule,
        timekeeper=timekeeper,
        planner=local,
        replicas=replicas,
        floor=floor,
        votes=votes,
        workspaces=workspaces,
        links=links,
        verifier=SignatureVerifier(settings.signing_secret) if settings.signing_secret else None,
    )


def _single_workspace_authorize(bot_token: str) -> Any:
    async def authorize(
        enterprise_id: str | None, team_id: str | None, **_: Any
    ) -> AuthorizeResult:
        # A single-workspace install: the token is known, so no auth.test round trip is
        # needed per request and commands keep working while Slack's API is unreachable.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    return authorize
