"""The schema, as numbered migrations applied in order and recorded in PRAGMA user_version."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: meetings, delegations, items, positions, decisions and the notice outbox.
    """
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        team_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        title TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        rule TEXT NOT NULL DEFAULT 'consensus',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        next_item_number INTEGER NOT NULL DEFAULT 1,
        UNIQUE (team_id, channel_id)
    );
    CREATE TABLE chairs (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        user_id TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE delegations (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('participant', 'observer')),
        created_at TEXT NOT NULL,
        removed_at TEXT
    );
    CREATE UNIQUE INDEX delegations_active_name
        ON delegations (meeting_id, name_key) WHERE removed_at IS NULL;
    CREATE TABLE members (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        user_id TEXT NOT NULL,
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        added_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX members_by_delegation ON members (delegation_id);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        number INTEGER NOT NULL,
        sponsor_id INTEGER NOT NULL REFERENCES delegations(id),
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'adopted', 'blocked', 'withdrawn')),
        tabled_by TEXT NOT NULL,
        tabled_at TEXT NOT NULL,
        deadline TEXT,
        UNIQUE (meeting_id, number)
    );
    CREATE INDEX items_by_status ON items (meeting_id, status);
    CREATE TABLE positions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        kind TEXT NOT NULL
            CHECK (kind IN ('objection', 'reservation', 'stand-aside', 'support')),
        statement TEXT NOT NULL DEFAULT '',
        user_id TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        ended_at TEXT,
        ended_by TEXT
    );
    CREATE UNIQUE INDEX positions_current
        ON positions (item_id, delegation_id) WHERE ended_at IS NULL;
    CREATE TABLE decisions (
        item_id INTEGER PRIMARY KEY REFERENCES items(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('adopted', 'blocked')),
        rule TEXT NOT NULL,
        participants INTEGER NOT NULL,
        objections TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        late INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        item_id INTEGER REFERENCES items(id),
        kind TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        delivered_revision INTEGER NOT NULL DEFAULT 0,
        message_ts TEXT,
        closed INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX notices_pending ON notices (id) WHERE delivered_revision < revision;
    CREATE INDEX notices_by_item ON notices (item_id, kind);
    """,
    # 2: time. Meeting settings, sessions, item deadlines' index, notice payloads.
    """
    ALTER TABLE meetings ADD COLUMN window_seconds INTEGER;
    ALTER TABLE meetings ADD COLUMN reminder_minutes INTEGER NOT NULL DEFAULT 15;
    ALTER TABLE meetings ADD COLUMN digest_time TEXT;
    ALTER TABLE meetings ADD COLUMN next_digest_at TEXT;
    ALTER TABLE meetings ADD COLUMN digest_since TEXT;
    ALTER TABLE meetings ADD COLUMN next_session_number INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX meetings_digest_due ON meetings (next_digest_at)
        WHERE next_digest_at IS NOT NULL;
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        remind_at TEXT NOT NULL,
        reminded_at TEXT,
        removed_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (meeting_id, number)
    );
    CREATE INDEX sessions_reminder_due ON sessions (remind_at)
        WHERE reminded_at IS NULL AND removed_at IS NULL;
    ALTER TABLE items ADD COLUMN session_id INTEGER REFERENCES sessions(id);
    ALTER TABLE items ADD COLUMN closed_at TEXT;
    CREATE INDEX items_deadline_due ON items (deadline)
        WHERE status = 'open' AND deadline IS NOT NULL;
    ALTER TABLE notices ADD COLUMN payload TEXT;
    """,
    # 3: item titles, and the App Home views to keep fresh.
    """
    ALTER TABLE items ADD COLUMN title TEXT;
    CREATE TABLE home_views (
        team_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1,
        published_revision INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (team_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX home_views_stale ON home_views (team_id)
        WHERE published_revision < revision;
    """,
    # 4: exactly-once delivery: Events API retries seen, posts whose fate is unknown.
    """
    CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX seen_events_age ON seen_events (seen_at);
    ALTER TABLE notices ADD COLUMN uncertain_since TEXT;
    """,
    # 5: procedure: quorum and attendance, what a decision counted, modified proposals,
    # agenda adoption.
    """
    ALTER TABLE meetings ADD COLUMN quorum INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE attendance (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        user_id TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, delegation_id)
    ) WITHOUT ROWID;
    ALTER TABLE decisions ADD COLUMN quorum INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE decisions ADD COLUMN present INTEGER;
    ALTER TABLE items ADD COLUMN amends_id INTEGER REFERENCES items(id);
    CREATE INDEX items_amends ON items (amends_id) WHERE amends_id IS NOT NULL;
    CREATE TABLE agenda_proposals (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        deadline TEXT NOT NULL,
        items TEXT NOT NULL,
        adopted_at TEXT
    );
    CREATE INDEX agenda_proposals_open ON agenda_proposals (deadline) WHERE adopted_at IS NULL;
    """,
    # 6: why a position ended, for the record.
    """
    ALTER TABLE positions ADD COLUMN end_reason TEXT
        CHECK (end_reason IN ('withdrawn', 'replaced', 'lapsed'));
    """,
    # 7: every objection counts the item's standing objections; this index finds them
    # without reading each current position's row for its kind.
    """
    CREATE INDEX positions_standing ON positions (item_id, kind, delegation_id)
        WHERE ended_at IS NULL;
    """,
    # 8: an item superseded by an adopted modification is neither open nor withdrawn: the
    # status check gains 'superseded' (SQLite cannot alter a check, so the table is rebuilt
    # with its columns, data, indexes and references unchanged); and an agenda proposal
    # whose deadline passed without a quorum closes without being adopted.
    """
    CREATE TABLE items_rebuilt (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        number INTEGER NOT NULL,
        sponsor_id INTEGER NOT NULL REFERENCES delegations(id),
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'adopted', 'blocked', 'withdrawn', 'superseded')),
        tabled_by TEXT NOT NULL,
        tabled_at TEXT NOT NULL,
        deadline TEXT,
        session_id INTEGER REFERENCES sessions(id),
        closed_at TEXT,
        title TEXT,
        amends_id INTEGER REFERENCES items(id),
        UNIQUE (meeting_id, number)
    );
    INSERT INTO items_rebuilt (id, meeting_id, number, sponsor_id, text, status, tabled_by,
        tabled_at, deadline, session_id, closed_at, title, amends_id)
        SELECT id, meeting_id, number, sponsor_id, text, status, tabled_by, tabled_at,
        deadline, session_id, closed_at, title, amends_id FROM items;
    DROP TABLE items;
    ALTER TABLE items_rebuilt RENAME TO items;
    CREATE INDEX items_by_status ON items (meeting_id, status);
    CREATE INDEX items_deadline_due ON items (deadline)
        WHERE status = 'open' AND deadline IS NOT NULL;
    CREATE INDEX items_amends ON items (amends_id) WHERE amends_id IS NOT NULL;
    UPDATE items SET status = 'superseded' WHERE status = 'withdrawn' AND EXISTS
        (SELECT 1 FROM items n WHERE n.amends_id = items.id AND n.status = 'adopted'
         AND n.closed_at = items.closed_at);
    ALTER TABLE agenda_proposals ADD COLUMN inquorate INTEGER NOT NULL DEFAULT 0;
    """,
    # 9: when a notice last failed, so health and `check` can report recent failures
    # (cleared once it is delivered).
    """
    ALTER TABLE notices ADD COLUMN failed_at TEXT;
    CREATE INDEX notices_failed ON notices (failed_at) WHERE failed_at IS NOT NULL;
    """,
    # 10: the floor. Each debate on an item has its list of speakers (requests, settled when
    # heard, withdrawn or their delegation left) and its turns; a turn's warning and its end
    # are due work, each handled once (warned_at, expired_at). The meeting's speaking time.
    """
    ALTER TABLE meetings ADD COLUMN speaking_seconds INTEGER;
    CREATE TABLE floors (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        item_id INTEGER NOT NULL REFERENCES items(id),
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0,
        ended_at TEXT,
        notice_id INTEGER REFERENCES notices(id)
    );
    CREATE UNIQUE INDEX floors_current ON floors (meeting_id) WHERE ended_at IS NULL;
    CREATE INDEX floors_by_item ON floors (item_id);
    CREATE TABLE floor_requests (
        id INTEGER PRIMARY KEY,
        floor_id INTEGER NOT NULL REFERENCES floors(id),
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        kind TEXT NOT NULL CHECK (kind IN ('order', 'speak', 'reply')),
        user_id TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        settled_at TEXT,
        settled TEXT CHECK (settled IN ('heard', 'withdrawn', 'left'))
    );
    CREATE UNIQUE INDEX floor_requests_pending
        ON floor_requests (floor_id, delegation_id, kind) WHERE settled_at IS NULL;
    CREATE INDEX floor_requests_by_delegation ON floor_requests (delegation_id)
        WHERE settled_at IS NULL;
    CREATE TABLE floor_turns (
        id INTEGER PRIMARY KEY,
        floor_id INTEGER NOT NULL REFERENCES floors(id),
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        kind TEXT NOT NULL CHECK (kind IN ('order', 'speak', 'reply')),
        given_by TEXT NOT NULL,
        out_of_order INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        warn_at TEXT,
        ends_at TEXT,
        warned_at TEXT,
        expired_at TEXT,
        ended_at TEXT
    );
    CREATE UNIQUE INDEX floor_turns_current ON floor_turns (floor_id) WHERE ended_at IS NULL;
    CREATE INDEX floor_turns_warning_due ON floor_turns (warn_at)
        WHERE warned_at IS NULL AND ended_at IS NULL AND warn_at IS NOT NULL;
    CREATE INDEX floor_turns_time_due ON floor_turns (ends_at)
        WHERE expired_at IS NULL AND ended_at IS NULL AND ends_at IS NOT NULL;
    """,
    # 11: recorded votes. A vote on an item (one open per item), its ballots' history (one
    # current ballot per delegation; a secret vote's choices are erased when it closes, so
    # who voted stays and how does not), and its result frozen at close. An item not adopted
    # by vote is 'rejected' (the status check widens: items is rebuilt as in migration 8).
    # The old `majority:p/q` rule only ever counted objections: it becomes what it is,
    # `blocking-minority:(1 - p/q)`, in meetings and in the decisions taken under it.
    """
    CREATE TABLE items_rebuilt (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        number INTEGER NOT NULL,
        sponsor_id INTEGER NOT NULL REFERENCES delegations(id),
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'adopted', 'blocked', 'withdrawn', 'superseded',
                              'rejected')),
        tabled_by TEXT NOT NULL,
        tabled_at TEXT NOT NULL,
        deadline TEXT,
        session_id INTEGER REFERENCES sessions(id),
        closed_at TEXT,
        title TEXT,
        amends_id INTEGER REFERENCES items(id),
        UNIQUE (meeting_id, number)
    );
    INSERT INTO items_rebuilt (id, meeting_id, number, sponsor_id, text, status, tabled_by,
        tabled_at, deadline, session_id, closed_at, title, amends_id)
        SELECT id, meeting_id, number, sponsor_id, text, status, tabled_by, tabled_at,
        deadline, session_id, closed_at, title, amends_id FROM items;
    DROP TABLE items;
    ALTER TABLE items_rebuilt RENAME TO items;
    CREATE INDEX items_by_status ON items (meeting_id, status);
    CREATE INDEX items_deadline_due ON items (deadline)
        WHERE status = 'open' AND deadline IS NOT NULL;
    CREATE INDEX items_amends ON items (amends_id) WHERE amends_id IS NOT NULL;
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        item_id INTEGER NOT NULL REFERENCES items(id),
        majority TEXT NOT NULL,
        secret INTEGER NOT NULL DEFAULT 0,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        deadline TEXT,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'closed', 'cancelled')),
        closed_at TEXT,
        closed_by TEXT,
        yes INTEGER,
        no INTEGER,
        abstain INTEGER,
        present INTEGER,
        members INTEGER,
        outcome TEXT,
        needed INTEGER,
        base_size INTEGER,
        quorum INTEGER,
        voted TEXT,
        not_voted TEXT,
        card_notice_id INTEGER REFERENCES notices(id)
    );
    CREATE UNIQUE INDEX votes_open_per_item ON votes (item_id) WHERE status = 'open';
    CREATE INDEX votes_by_meeting ON votes (meeting_id);
    CREATE INDEX votes_deadline_due ON votes (deadline)
        WHERE status = 'open' AND deadline IS NOT NULL;
    CREATE TABLE ballots (
        id INTEGER PRIMARY KEY,
        vote_id INTEGER NOT NULL REFERENCES votes(id),
        delegation_id INTEGER NOT NULL REFERENCES delegations(id),
        user_id TEXT NOT NULL,
        choice TEXT,
        explanation TEXT NOT NULL DEFAULT '',
        cast_at TEXT NOT NULL,
        replaced_at TEXT
    );
    CREATE UNIQUE INDEX ballots_current
        ON ballots (vote_id, delegation_id) WHERE replaced_at IS NULL;
    UPDATE meetings SET rule = 'blocking-minority:'
        || (CAST(substr(rule, instr(rule, '/') + 1) AS INTEGER)
            - CAST(substr(rule, 10, instr(rule, '/') - 10) AS INTEGER))
        || '/' || substr(rule, instr(rule, '/') + 1)
        WHERE rule LIKE 'majority:%/%';
    UPDATE decisions SET rule = 'blocking-minority:'
        || (CAST(substr(rule, instr(rule, '/') + 1) AS INTEGER)
            - CAST(substr(rule, 10, instr(rule, '/') - 10) AS INTEGER))
        || '/' || substr(rule, instr(rule, '/') + 1)
        WHERE rule LIKE 'majority:%/%';
    UPDATE meetings SET rule = 'consensus' WHERE rule = 'majority:1';
    UPDATE decisions SET rule = 'consensus' WHERE rule = 'majority:1';
    """,
    # 12: installs into many workspaces. Each install's bot token is stored sealed (encrypted
    # by the app before it reaches storage), found by its key (team id, or enterprise id for
    # an org-wide install); OAuth states are used once; an uninstalled workspace's data is
    # purged once its retention period ends (claimed once by purged_at).
    """
    CREATE TABLE installations (
        key TEXT PRIMARY KEY,
        enterprise_id TEXT,
        team_id TEXT,
        is_enterprise_install INTEGER NOT NULL DEFAULT 0,
        sealed_bot_token TEXT NOT NULL,
        bot_id TEXT,
        bot_user_id TEXT,
        app_id TEXT,
        bot_scopes TEXT NOT NULL DEFAULT '',
        installer_user_id TEXT,
        installed_at TEXT NOT NULL,
        sealed_refresh_token TEXT,
        expires_at TEXT
    ) WITHOUT ROWID;
    CREATE TABLE team_enterprises (
        team_id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE oauth_states (
        state TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE workspace_purges (
        team_id TEXT PRIMARY KEY,
        purge_at TEXT NOT NULL,
        purged_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX workspace_purges_due ON workspace_purges (purge_at) WHERE purged_at IS NULL;
    """,
    # 13: the web links: the room's screen and the public record, one live token per meeting
    # and kind, looked up only by its SHA-256 (token_hash).
    """
    CREATE TABLE web_links (
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        kind TEXT NOT NULL CHECK (kind IN ('screen', 'record')),
        token TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        issued_by TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        PRIMARY KEY (meeting_id, kind)
    ) WITHOUT ROWID;
    """,
)
