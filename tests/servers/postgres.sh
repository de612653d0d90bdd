#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests that need one (tst_postgrestracestore, worker tests).
#
#   tests/servers/postgres.sh start DIR [PORT]   create (first time) and start a cluster in DIR; prints export lines
#   tests/servers/postgres.sh stop DIR           stop it (data and port are kept for the next start)
#   tests/servers/postgres.sh status DIR         exit 0 and print the export lines when running, exit 3 when not
#
#   eval "$(tests/servers/postgres.sh start DIR)"   # DIR and its parents readable by the postgres user
#
# Prints, on stdout only:
#   export SPANSCOPE_TEST_PG_URL=postgresql://spanscope:spanscope@127.0.0.1:PORT/spanscope
#   export SPANSCOPE_TEST_PG_DIR=DIR
# Everything else goes to stderr.
#
# The server listens on 127.0.0.1:PORT only (a free port is picked when none is given, and remembered in
# DIR/port), with its socket directory inside DIR. TCP clients log in with a password (scram-sha-256; role and
# password `spanscope`, owner of the database `spanscope`), so a wrong password really fails; the local socket
# trusts everyone (for this script). fsync is off: a test server, not a place for data.
#
# PostgreSQL refuses to run as root; when this script runs as root it runs the server as the `postgres` system
# user (runuser) and gives DIR to that user. Binaries: $PG_BINDIR, else the newest /usr/lib/postgresql/*/bin,
# else pg_config --bindir, else PATH.
set -euo pipefail

ROLE=spanscope
PASSWORD=spanscope
DATABASE=spanscope

die() {
    echo "postgres.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR [PORT] | stop DIR | status DIR" >&2
    exit 2
}

find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        echo "$PG_BINDIR"
        return
    fi
    local newest=""
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/postgres" ]] && newest="$dir"
    done
    if [[ -z "$newest" ]] && command -v pg_config >/dev/null 2>&1; then
        newest="$(pg_config --bindir)"
    fi
    if [[ -z "$newest" ]]; then
        newest="$(dirname "$(command -v postgres 2>/dev/null || echo /nonexistent/postgres)")"
    fi
    [[ -x "$newest/postgres" && -x "$newest/initdb" && -x "$newest/pg_ctl" ]] \
        || die "PostgreSQL server binaries not found (install postgresql, or set PG_BINDIR)"
    echo "$newest"
}

# Runs a command as the server's owner: the postgres user when we are root, else ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free port below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default): a port inside
# it can be taken by any outgoing connection between this check and the server's bind, or while the server is stopped
# (seen when the test suites run in parallel and one opens thousands of client connections).
pick_port() {
    local low=32768 high port
    read -r low high < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    local span=$(( low > 21024 ? low - 20000 : 1024 ))
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % span))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

print_exports() {
    local dir="$1" port="$2"
    echo "export SPANSCOPE_TEST_PG_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
    echo "export SPANSCOPE_TEST_PG_DIR=$dir"
}

is_running() {
    local dir="$1"
    [[ -d "$dir/data" ]] && as_owner "$BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

psql_admin() {
    local dir="$1" port="$2"
    shift 2
    as_owner "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -U postgres -d postgres "$@"
}

cmd_start() {
    local dir="$1" port="${2:-}"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ -f "$dir/port" ]]; then
        local saved
        saved="$(cat "$dir/port")"
        [[ -z "$port" || "$port" == "$saved" ]] || die "$dir was created for port $saved, not $port"
        port="$saved"
    fi
    if is_running "$dir"; then
        echo "postgres.sh: already running in $dir on port $port" >&2
        print_exports "$dir" "$port"
        return
    fi
    [[ -n "$port" ]] || port="$(pick_port)"
    [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got \"$port\""

    local fresh=0
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        fresh=1
        [[ -z "$(ls -A "$dir" 2>/dev/null | grep -v '^port$' || true)" ]] \
            || die "$dir is not empty and holds no cluster; give an empty or new folder"
        mkdir -p "$dir/data" "$dir/socket"
        if [[ "$(id -u)" == 0 ]]; then
            chown -R postgres: "$dir"
            runuser -u postgres -- test -x "$dir" \
                || die "the postgres user cannot reach $dir (a parent folder is closed to it); use another folder"
        fi
        chmod 700 "$dir/data"
        as_owner "$BINDIR/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --no-sync \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        cat >>"$dir/data/postgresql.conf" <<EOF

# tests/servers/postgres.sh: a fast, loopback-only test server
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 300
log_min_messages = warning
log_line_prefix = '%m [%p] %u@%d '
EOF
        # Only loopback, with passwords; the socket (inside DIR) for this script.
        cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
EOF
    fi
    echo "$port" >"$dir/port"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$dir/port"
    # A socket directory removed by a tmp cleaner would stop the server from starting.
    mkdir -p "$dir/socket"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$dir/socket"

    as_owner "$BINDIR/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$dir/postgres.log" >&2 || true; die "the server did not start (log: $dir/postgres.log)"; }
    if [[ "$fresh" == 1 ]]; then
        psql_admin "$dir" "$port" -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" \
            -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
    fi
    as_owner "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -d "$DATABASE" -t 30 \
        || die "the server does not accept connections on 127.0.0.1:$port"
    echo "postgres.sh: running in $dir on 127.0.0.1:$port" >&2
    print_exports "$dir" "$port"
}

cmd_stop() {
    local dir="$1"
    [[ -d "$dir/data" ]] || die "$dir holds no cluster"
    if is_running "$dir"; then
        as_owner "$BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
        echo "postgres.sh: stopped $dir" >&2
    else
        echo "postgres.sh: not running in $dir" >&2
    fi
}

cmd_status() {
    local dir="$1"
    if is_running "$dir"; then
        dir="$(cd "$dir" && pwd)"
        echo "postgres.sh: running in $dir on port $(cat "$dir/port")" >&2
        print_exports "$dir" "$(cat "$dir/port")"
    else
        echo "postgres.sh: not running in $dir" >&2
        exit 3
    fi
}

[[ $# -ge 2 ]] || usage
BINDIR="$(find_bindir)"
case "$1" in
start) [[ $# -le 3 ]] || usage; cmd_start "$2" "${3:-}" ;;
stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
status) [[ $# -eq 2 ]] || usage; cmd_status "$2" ;;
*) usage ;;
esac
