#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster: initdb, start, run, stop.
# Installs Debian's postgresql when it is missing and we are root.
set -euo pipefail

pg_bin=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin="$dir"; done
if [ -z "$pg_bin" ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq || true)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin="$dir"; done
  fi
fi
[ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (Debian package postgresql)"; exit 1; }

port="${TONGBAN_PG_PORT:-55432}"
work="$(mktemp -d /tmp/tongban-pg.XXXXXX)"
run_as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home "$work" postgres
  chown -R postgres "$work"
  run_as=(runuser -u postgres --)
fi
"${run_as[@]}" "$pg_bin/initdb" -D "$work/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c fsync=off -c max_connections=100" start >/dev/null
cleanup() { "${run_as[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export TONGBAN_DATABASE_URL="postgres://postgres@127.0.0.1:$port/tongban"
"${run_as[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE tongban" >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
