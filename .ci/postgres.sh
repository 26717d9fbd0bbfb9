# Sourced by .ci/run: a throwaway PostgreSQL cluster for the tests, in a temporary folder,
# listening on 127.0.0.1 only on a free port, stopped (and its folder removed) on exit.
# Exports PLENARY_TEST_POSTGRES_URL for tests/contract and tests/postgres.
# initdb and pg_ctl refuse to run as root, so they run as the postgres user.

start_throwaway_postgres() {
    if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    fi
    local bin
    bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)"
    local as_postgres=()
    if [ "$(id -u)" = 0 ]; then
        as_postgres=(runuser -u postgres --)
    fi
    PLENARY_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/plenary-pg.XXXXXX")"
    chmod 755 "$PLENARY_PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PLENARY_PG_DIR"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${as_postgres[@]}" "$bin/initdb" -D "$PLENARY_PG_DIR/data" -U postgres --auth=trust \
        -E UTF8 --no-locale >"$PLENARY_PG_DIR/initdb.log"
    PLENARY_PG_CTL=("${as_postgres[@]}" "$bin/pg_ctl" -D "$PLENARY_PG_DIR/data")
    trap stop_throwaway_postgres EXIT
    # fsync off: the cluster is thrown away, and the tests assert behaviour, not durability.
    "${PLENARY_PG_CTL[@]}" -l "$PLENARY_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PLENARY_PG_DIR -c fsync=off -c max_connections=200" \
        start >/dev/null
    "${as_postgres[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres plenary_test
    export PLENARY_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/plenary_test"
    echo "throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_throwaway_postgres() {
    if [ -n "${PLENARY_PG_DIR:-}" ]; then
        "${PLENARY_PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PLENARY_PG_DIR"
    fi
}
