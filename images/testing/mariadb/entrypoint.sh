#!/bin/bash
# Initialise the data directory on first start, with a temporary socket-only server running the
# init SQL (so "ready for connections" appears twice, as with the official image), then run mariadbd.
# As the official images do, arguments that start with "-" are server options, and they apply at
# initialisation too (lower_case_table_names must be set before the data directory exists).
set -euo pipefail
if [ "${1:0:1}" = "-" ]; then
  set -- mariadbd "$@"
fi
OPTIONS=()
if [ "${1:-}" = mariadbd ] || [ "${1:-}" = mysqld ]; then
  OPTIONS=("${@:2}")
fi
ROOT_PASSWORD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"
DATABASE="${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}"
APP_USER="${MARIADB_USER:-${MYSQL_USER:-}}"
APP_PASSWORD="${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}"
DATADIR=/var/lib/mysql

if [ -z "$ROOT_PASSWORD" ]; then
  echo "error: MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD) must be set" >&2
  exit 1
fi
sql_quote() { printf "%s" "$1" | sed "s/'/''/g"; }

if [ ! -d "$DATADIR/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=normal "${OPTIONS[@]}" >/dev/null
  mariadbd --user=mysql --skip-networking --socket=/run/mysqld/init.sock "${OPTIONS[@]}" &
  pid=$!
  for _ in $(seq 1 100); do
    mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  {
    echo "DELETE FROM mysql.global_priv WHERE User='';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_quote "$ROOT_PASSWORD")';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_quote "$ROOT_PASSWORD")';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$DATABASE" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"; fi
    if [ -n "$APP_USER" ]; then
      echo "CREATE USER '$APP_USER'@'%' IDENTIFIED BY '$(sql_quote "$APP_PASSWORD")';"
      if [ -n "$DATABASE" ]; then echo "GRANT ALL ON \`$DATABASE\`.* TO '$APP_USER'@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/run/mysqld/init.sock -uroot
  kill "$pid"
  wait "$pid" || true
fi
if [ "${1:-}" = mariadbd ] || [ "${1:-}" = mysqld ]; then
  shift
  exec mariadbd --user=mysql "$@"
fi
exec "$@"
