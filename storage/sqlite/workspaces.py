"""Installs, OAuth states and workspace purges in SQLite. Tokens arrive sealed (encrypted by
the app) and are stored as they arrive: nothing here can read them."""

from __future__ import annotations

from datetime import datetime

from bot.domain.workspaces import Installation
from storage.common import rows
from storage.sqlite.units import Statements

_COLUMNS = (
    "key, enterprise_id, team_id, is_enterprise_install, sealed_bot_token, bot_id, bot_user_id,"
    " app_id, bot_scopes, installer_user_id, installed_at, sealed_refresh_token, expires_at"
)


class SqliteWorkspaceRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def save_installation(self, installation: Installation) -> None:
        await self._conn.execute(
            f"INSERT OR REPLACE INTO installations ({_COLUMNS})"  # noqa: S608 - constant columns
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                installation.key,
                installation.enterprise_id,
                installation.team_id,
                int(installation.is_enterprise_install),
                installation.sealed_bot_token,
                installation.bot_id,
                installation.bot_user_id,
                installation.app_id,
                installation.bot_scopes,
                installation.installer_user_id,
                rows.ts(installation.installed_at),
                installation.sealed_refresh_token,
                rows.opt_ts(installation.expires_at),
            ),
        )
        if installation.team_id is not None and not installation.is_enterprise_install:
            await self._conn.execute(
                "DELETE FROM workspace_purges WHERE team_id = ? AND purged_at IS NULL",
                (installation.team_id,),
            )
        if installation.is_enterprise_install and installation.enterprise_id is not None:
            await self._conn.execute(
                "DELETE FROM workspace_purges WHERE purged_at IS NULL AND team_id IN"
                " (SELECT team_id FROM team_enterprises WHERE enterprise_id = ?)",
                (installation.enterprise_id,),
            )

    async def installation(self, key: str) -> Installation | None:
        fetched = await self._conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM installations WHERE key = ?",  # noqa: S608 - constant columns
            (key,),
        )
        return rows.installation(fetched[0]) if fetched else None

    async def installation_for_team(self, team_id: str) -> Installation | None:
        fetched = await self._conn.execute_fetchall(
            f"SELECT {_COLUMNS}, 0 AS preference FROM installations WHERE key = ?"  # noqa: S608 - constant columns
            f" UNION ALL SELECT {_COLUMNS}, 1 FROM installations WHERE key ="
            " (SELECT enterprise_id FROM team_enterprises WHERE team_id = ?)"
            " ORDER BY preference LIMIT 1",
            (team_id, team_id),
        )
        return rows.installation(fetched[0]) if fetched else None

    async def note_enterprise(self, team_id: str, enterprise_id: str) -> None:
        await self._conn.execute(
            "INSERT INTO team_enterprises (team_id, enterprise_id) VALUES (?, ?)"
            " ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id"
            " WHERE enterprise_id != excluded.enterprise_id",
            (team_id, enterprise_id),
        )

    async def teams_in(self, enterprise_id: str) -> list[str]:
        fetched = await self._conn.execute_fetchall(
            "SELECT team_id FROM team_enterprises WHERE enterprise_id = ? ORDER BY team_id",
            (enterprise_id,),
        )
        return [r["team_id"] for r in fetched]

    async def delete_installation(self, key: str) -> bool:
        executed = await self._conn.execute("DELETE FROM installations WHERE key = ?", (key,))
        return executed.rowcount > 0

    async def count_installations(self) -> int:
        fetched = await self._conn.execute_fetchall("SELECT count(*) FROM installations")
        return int(fetched[0][0])

    async def add_state(self, state: str, expires_at: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)",
            (state, rows.ts(expires_at)),
        )

    async def consume_state(self, state: str, now: datetime) -> bool:
        moment = rows.ts(now)
        await self._conn.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (moment,))
        executed = await self._conn.execute("DELETE FROM oauth_states WHERE state = ?", (state,))
        return executed.rowcount == 1

    async def drop_pending(self, team_id: str, reason: str, now: datetime) -> int:
        executed = await self._conn.execute(
            "UPDATE notices SET delivered_revision = revision, next_attempt_at = NULL,"
            " last_error = ?, failed_at = ?"
            " WHERE delivered_revision < revision"
            " AND meeting_id IN (SELECT id FROM meetings WHERE team_id = ?)",
            (reason, rows.ts(now), team_id),
        )
        await self._conn.execute(
            "UPDATE home_views SET published_revision = revision WHERE team_id = ?", (team_id,)
        )
        return executed.rowcount

    async def schedule_purge(self, team_id: str, at: datetime) -> None:
        # The first uninstall sets the date (tokens_revoked and app_uninstalled both come);
        # a workspace purged before, reinstalled and uninstalled again is purged again.
        await self._conn.execute(
            "INSERT INTO workspace_purges (team_id, purge_at) VALUES (?, ?)"
            " ON CONFLICT (team_id) DO UPDATE SET purge_at = excluded.purge_at, purged_at = NULL"
            " WHERE purged_at IS NOT NULL",
            (team_id, rows.ts(at)),
        )

    async def purges_due(self, now: datetime) -> list[str]:
        fetched = await self._conn.execute_fetchall(
            "SELECT team_id FROM workspace_purges WHERE purged_at IS NULL AND purge_at <= ?"
            " ORDER BY purge_at",
            (rows.ts(now),),
        )
        return [r["team_id"] for r in fetched]

    async def planned_purges(self) -> list[tuple[str, datetime]]:
        fetched = await self._conn.execute_fetchall(
            "SELECT team_id, purge_at FROM workspace_purges WHERE purged_at IS NULL"
        )
        return [(r["team_id"], rows.dt(r["purge_at"])) for r in fetched]

    async def purge(self, team_id: str, now: datetime) -> bool:
        moment = rows.ts(now)
        claimed = await self._conn.execute(
            "UPDATE workspace_purges SET purged_at = ?"
            " WHERE team_id = ? AND purged_at IS NULL AND purge_at <= ?",
            (moment, team_id, moment),
        )
        if claimed.rowcount == 0:
            return False
        await self._erase("meetings", "team_id = ?", (team_id,), ())
        await self._conn.execute("DELETE FROM home_views WHERE team_id = ?", (team_id,))
        return True

    async def _erase(
        self, table: str, where: str, parameters: tuple[str, ...], path: tuple[str, ...]
    ) -> None:
        """Delete ``table``'s rows matching ``where``, and first every row that refers to
        them, whatever table it is in: read from the schema, so a table added later that
        refers to a meeting's rows is erased with them."""
        for child, column, parent_column in await self._referrers(table):
            if child == table or child in path:
                continue  # a reference within the rows erased together, or a cycle
            await self._erase(
                child,
                # Names read from the schema itself; values stay parameters.
                f"{column} IN (SELECT {parent_column} FROM {table} WHERE {where})",  # noqa: S608
                parameters,
                (*path, table),
            )
        await self._conn.execute(f"DELETE FROM {table} WHERE {where}", parameters)  # noqa: S608

    async def _referrers(self, table: str) -> list[tuple[str, str, str]]:
        """(table, column, referenced column) for each foreign key pointing at ``table``."""
        fetched = await self._conn.execute_fetchall(
            'SELECT m.name AS child, f."from" AS col, coalesce(f."to", \'id\') AS parent_col'
            " FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f"
            " WHERE m.type = 'table' AND f.\"table\" = ? ORDER BY m.name, f.id",
            (table,),
        )
        return [(r["child"], r["col"], r["parent_col"]) for r in fetched]
