#!/usr/bin/env bash
# A throwaway S3 server for the tests: OpenStack Swift (Debian packages) with the s3api and tempauth middlewares,
# one node, one replica, everything (rings, configs, data, logs, PIDs) in DIR, bound to 127.0.0.1.
#
# Usage:
#   tests/servers/swift.sh start DIR [PORT]   # starts (or restarts, keeping the data) and waits until S3 answers;
#                                             # prints `export` lines: eval "$(tests/servers/swift.sh start DIR)"
#   tests/servers/swift.sh stop DIR           # stops the four servers by their recorded PIDs
#   tests/servers/swift.sh status DIR         # exit 0 when all four run
#
# PORT is the S3 (proxy) port; without it a free port is chosen on the first start and reused on later starts, so
# the endpoint stays the same across stop/start. The account, container and object servers get free ports too.
# S3 credentials: access key "test:tester" (Swift account:user), secret "testing", region us-east-1.
#
# Needs: swift swift-proxy swift-account swift-container swift-object python3-swift (packaging/install-deps.sh --test).
# Notes:
#   - Swift always reads /etc/swift/swift.conf (hash path suffix, storage policies). When that file is absent it is
#     created with a random suffix; an existing file is never changed.
#   - The object server stores metadata in user xattrs: DIR must be on a file system that has them (ext4, xfs, tmpfs);
#     without them every upload fails with a misleading 503.
#   - Swift runs on Debian's /usr/bin/python3, whatever python3 is first on PATH.
#   - Swift refuses aws-chunked (streaming SigV4) uploads with 501: clients must send whole, signed bodies.
set -euo pipefail

PY=/usr/bin/python3
SERVERS=(account container object proxy)
ACCESS_KEY="test:tester"
SECRET_KEY="testing"

die() { echo "swift.sh: $*" >&2; exit 1; }

usage() { die "usage: $0 start DIR [PORT] | stop DIR | status DIR"; }

# A free port below the kernel's ephemeral range (see postgres.sh's pick_port): one inside it can be taken by an
# outgoing connection before the server binds it, or while the server is stopped.
free_port() {
    "$PY" - <<'PYEOF'
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
top = low if low > 21024 else 21024
for _ in range(200):
    port = random.randrange(20000, top)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port found")
PYEOF
}

# True when PID runs one of our Swift servers with a config file from DIR.
is_ours() {
    local pid=$1 dir=$2
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$dir/etc/"
}

server_pid() {
    local dir=$1 name=$2 pid
    [ -f "$dir/run/$name.pid" ] || return 1
    pid=$(cat "$dir/run/$name.pid")
    is_ours "$pid" "$dir" || return 1
    echo "$pid"
}

check_swift_conf() {
    local conf=/etc/swift/swift.conf
    if [ ! -e "$conf" ]; then
        mkdir -p /etc/swift || die "cannot create /etc/swift (run as root or create $conf)"
        local suffix
        suffix=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
        local tmp
        tmp=$(mktemp /etc/swift/.swift.conf.XXXXXX) || die "cannot write to /etc/swift"
        printf '[swift-hash]\nswift_hash_path_suffix = %s\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' \
            "$suffix" >"$tmp"
        chmod 644 "$tmp"
        # Another start racing us may have created it meanwhile: never replace an existing file.
        ln "$tmp" "$conf" 2>/dev/null || true
        rm -f "$tmp"
    fi
    grep -Eq '^[[:space:]]*swift_hash_path_(suffix|prefix)[[:space:]]*=[[:space:]]*[^[:space:]]' "$conf" \
        || die "$conf has no swift_hash_path_suffix; add one under [swift-hash] (this script does not edit it)"
}

check_xattrs() {
    local dir=$1
    "$PY" - "$dir" <<'EOF' || die "the file system of $1 has no user xattrs, which Swift's object server needs; use a directory on ext4, xfs or tmpfs"
import os, sys, tempfile
fd, path = tempfile.mkstemp(dir=sys.argv[1])
try:
    os.setxattr(path, "user.swift.xattr-check", b"1")
    assert os.getxattr(path, "user.swift.xattr-check") == b"1"
finally:
    os.close(fd)
    os.unlink(path)
EOF
}

write_configs() {
    local dir=$1
    local user
    user=$(id -un)
    # shellcheck disable=SC1091
    . "$dir/ports.env"
    local common="[DEFAULT]
bind_ip = 127.0.0.1
workers = 0
user = $user
swift_dir = $dir/etc
devices = $dir/data
mount_check = false
log_level = WARNING
recon_cache_path = $dir/run
"
    cat >"$dir/etc/account-server.conf" <<EOF
${common}bind_port = $ACCOUNT_PORT

[pipeline:main]
pipeline = healthcheck account-server

[app:account-server]
use = egg:swift#account

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
    cat >"$dir/etc/container-server.conf" <<EOF
${common}bind_port = $CONTAINER_PORT

[pipeline:main]
pipeline = healthcheck container-server

[app:container-server]
use = egg:swift#container

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
    cat >"$dir/etc/object-server.conf" <<EOF
${common}bind_port = $OBJECT_PORT

[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
use = egg:swift#object

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
    # No memcached runs: tempauth insists on a cache object in the request environment but validates S3 signatures
    # against the configured users without it; the memcache client just fails fast on 127.0.0.1:11211.
    cat >"$dir/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PROXY_PORT
workers = 0
user = $user
swift_dir = $dir/etc
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = $SECRET_KEY .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:11211
set log_level = CRITICAL

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
EOF
}

# (Re)builds the three rings for the recorded ports. One device, one replica: every partition lives on data/d1, so a
# rebuilt ring finds the same data. The three rings are built in parallel (each swift-ring-builder run costs ~1 s of
# Python start-up).
build_ring() {
    local dir=$1 ring=$2 port=$3
    rm -f "$dir/etc/$ring.builder" "$dir/etc/$ring.ring.gz"
    "$PY" /usr/bin/swift-ring-builder "$dir/etc/$ring.builder" create 6 1 1 >/dev/null
    "$PY" /usr/bin/swift-ring-builder "$dir/etc/$ring.builder" add "r1z1-127.0.0.1:$port/d1" 1 >/dev/null
    # Exit status 1 means "finished with warnings"; the ring file's presence is checked below.
    "$PY" /usr/bin/swift-ring-builder "$dir/etc/$ring.builder" rebalance >/dev/null || true
}

build_rings() {
    local dir=$1
    # shellcheck disable=SC1091
    . "$dir/ports.env"
    build_ring "$dir" account "$ACCOUNT_PORT" &
    build_ring "$dir" container "$CONTAINER_PORT" &
    build_ring "$dir" object "$OBJECT_PORT" &
    wait
    local ring
    for ring in account container object; do
        [ -f "$dir/etc/$ring.ring.gz" ] || die "swift-ring-builder did not write $dir/etc/$ring.ring.gz"
    done
    cp "$dir/ports.env" "$dir/etc/rings.ports"
}

wait_ready() {
    local dir=$1
    # shellcheck disable=SC1091
    . "$dir/ports.env"
    "$PY" - "$ACCOUNT_PORT" "$CONTAINER_PORT" "$OBJECT_PORT" "$PROXY_PORT" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 60
for port in sys.argv[1:]:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthcheck", timeout=2) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"port {port} did not answer /healthcheck within 60 s")
        time.sleep(0.1)
EOF
}

cmd_start() {
    local dir=$1 port=${2:-}
    [ -x /usr/bin/swift-proxy-server ] || die "Swift is not installed (packaging/install-deps.sh --test)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    mkdir -p "$dir/etc" "$dir/data/d1" "$dir/run" "$dir/log"
    check_swift_conf
    check_xattrs "$dir/data/d1"

    if [ -f "$dir/ports.env" ]; then
        # shellcheck disable=SC1091
        . "$dir/ports.env"
        if [ -n "$port" ] && [ "$port" != "$PROXY_PORT" ]; then
            sed -i "s/^PROXY_PORT=.*/PROXY_PORT=$port/" "$dir/ports.env"
        fi
    else
        printf 'PROXY_PORT=%s\nACCOUNT_PORT=%s\nCONTAINER_PORT=%s\nOBJECT_PORT=%s\n' \
            "${port:-$(free_port)}" "$(free_port)" "$(free_port)" "$(free_port)" >"$dir/ports.env"
    fi
    write_configs "$dir"
    cmp -s "$dir/ports.env" "$dir/etc/rings.ports" 2>/dev/null || build_rings "$dir"

    local name pid
    for name in "${SERVERS[@]}"; do
        if pid=$(server_pid "$dir" "$name"); then
            continue # already running
        fi
        # setsid + closed descriptors: the server outlives this script and the caller's $(...) does not wait for it.
        setsid "$PY" "/usr/bin/swift-$name-server" "$dir/etc/$name-server.conf" -v \
            </dev/null >>"$dir/log/$name.log" 2>&1 &
        echo $! >"$dir/run/$name.pid"
    done
    if ! wait_ready "$dir" >&2; then
        echo "swift.sh: not ready; last log lines:" >&2
        tail -n 20 "$dir"/log/*.log >&2 || true
        cmd_stop "$dir" >&2
        exit 1
    fi
    # shellcheck disable=SC1091
    . "$dir/ports.env"
    echo "export SPANSCOPE_TEST_S3_ENDPOINT=http://127.0.0.1:$PROXY_PORT"
    echo "export SPANSCOPE_TEST_S3_ACCESS_KEY=$ACCESS_KEY"
    echo "export SPANSCOPE_TEST_S3_SECRET_KEY=$SECRET_KEY"
    echo "export SPANSCOPE_TEST_SWIFT_DIR=$dir"
}

cmd_stop() {
    local dir=$1 name pid
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    local pids=()
    for name in "${SERVERS[@]}"; do
        if pid=$(server_pid "$dir" "$name"); then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$dir/run/$name.pid"
    done
    local _
    for _ in $(seq 100); do
        local alive=0
        for pid in "${pids[@]}"; do
            is_ours "$pid" "$dir" && alive=1
        done
        [ $alive -eq 0 ] && return 0
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if is_ours "$pid" "$dir"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
}

cmd_status() {
    local dir=$1 name pid rc=0
    [ -d "$dir" ] || { echo "no Swift directory at $dir"; return 3; }
    dir=$(cd "$dir" && pwd -P)
    for name in "${SERVERS[@]}"; do
        if pid=$(server_pid "$dir" "$name"); then
            echo "$name: running (pid $pid)"
        else
            echo "$name: stopped"
            rc=3
        fi
    done
    return $rc
}

[ $# -ge 2 ] || usage
case $1 in
    start) cmd_start "$2" "${3:-}" ;;
    stop) cmd_stop "$2" ;;
    status) cmd_status "$2" ;;
    *) usage ;;
esac
