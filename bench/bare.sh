#!/bin/bash
# The same work as `rehearse run` on the bench store, by hand, with the bare tools: the database
# image with its default settings; the engine's own client restoring the dump (pg_restore with the
# same --jobs rehearse uses, so only the server settings differ; mysql < dump); the key tables
# counted; mail and jobs switched off; the data rehearse compares read before and after (one
# client session per snapshot, the rows kept in a file and the two files compared with diff, as
# a script must to name what changed as rehearse does); the stand-in of the source version started and
# the pages rehearse asked of it fetched again (one curl, one connection); the target version
# started (it migrates) and asked the same; a second start, with the settings and resources read
# around it; the way back (the dump restored into a fresh server, the source version started on
# it and asked); everything removed. Prints "mark NAME SECONDS" lines for bench/sides.py.
# Usage: bare.sh postgresql|mysql BACKUP DB_IMAGE SOURCE_APP TARGET_APP MEMORY WORK
# WORK holds what bench/sides.py wrote for it: count.sql, safe.sql, snapshot.sql, restart.sql
# (the queries) and before.urls, after.urls, restart.urls, rollback.urls (the pages, from the
# rehearsal's run log).
#    or: bare.sh postgresql|mysql BACKUP DB_IMAGE - - MEMORY - default
# the restore alone, with the engine's default command (pg_restore without --jobs; mysql <
# dump), as a user without rehearse types it (issue 17's yardstick for the restore).
set -euo pipefail
provider=$1 backup=$2 db_image=$3 source_app=$4 target_app=$5 memory=$6 work=$7
restore=${8:-jobs}
id="rehearse-bench-bare-$$"
password="Aa1_bench$$"
label="io.rehearse.bench=$id"
settings=$(mktemp -d)  # the store's App_Data
rows=$(mktemp -d)  # what the data reads keep
mark() { echo "mark $1 $EPOCHREALTIME"; }
cleanup() {
  docker rm -f "$id-app" "$id-db" "$id-db2" >/dev/null 2>&1 || true
  docker network rm "$id" >/dev/null 2>&1 || true
  rm -rf "$settings" "$rows"
}
trap cleanup EXIT
folder=$(cd "$(dirname "$backup")" && pwd) name=$(basename "$backup")

waitfor() {  # waitfor CONTAINER TEXT: the container's output followed until TEXT shows
  grep -q -m1 "$2" < <(timeout 600 docker logs -f "$1" 2>&1)
}

database() {  # database CONTAINER: started with the image's defaults, restored, ready for SQL
  local db=$1
  if [ "$provider" = postgresql ]; then
    docker run -d --name "$db" --label "$label" --network "$id" --memory "$memory" \
      -v "$folder:/backup:ro" -e POSTGRES_USER=nopcommerce -e POSTGRES_PASSWORD="$password" \
      -e POSTGRES_DB=nopcommerce "$db_image" >/dev/null
    # The entrypoint's init server listens on no TCP port: ready is the real server on 5432.
    until docker exec "$db" pg_isready -q -h 127.0.0.1 -U nopcommerce -d nopcommerce; do
      sleep 0.1; done
    docker exec "$db" psql -q -U nopcommerce -d nopcommerce \
      -c "CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS pgcrypto" \
      >/dev/null
    local cpus jobs=()
    cpus=$(docker exec "$db" nproc)
    [ "$restore" = default ] || jobs=(--jobs "$(( cpus < 4 ? cpus : 4 ))")
    docker exec "$db" pg_restore --no-owner --no-privileges --exit-on-error "${jobs[@]}" \
      -U nopcommerce -d nopcommerce "/backup/$name"
  else
    docker run -d --name "$db" --label "$label" --network "$id" --memory "$memory" \
      -v "$folder:/backup:ro" -e MYSQL_ROOT_PASSWORD="$password" -e MYSQL_DATABASE=nopcommerce \
      "$db_image" >/dev/null
    # The init server listens on no port: "port: 3306" is the real one (as rehearse waits).
    waitfor "$db" 'port: 3306'
    docker exec -e MYSQL_PWD="$password" "$db" sh -c "mysql -uroot nopcommerce < /backup/$name"
  fi
}

sql() {  # sql CONTAINER FILE: the file's statements in one session, rows on stdout
  if [ "$provider" = postgresql ]; then
    docker exec -i "$1" psql -qAt -v ON_ERROR_STOP=1 -U nopcommerce -d nopcommerce <"$2"
  else
    docker exec -i -e MYSQL_PWD="$password" "$1" mysql -uroot -N nopcommerce <"$2"
  fi
}

store() {  # store DB IMAGE: nopCommerce (the stand-in) on DB, returned once it has started
  local connection
  if [ "$provider" = postgresql ]; then
    connection="Server=$1;Port=5432;Database=nopcommerce;User Id=nopcommerce;Password=$password;"
  else
    connection="Server=$1;Port=3306;Database=nopcommerce;Uid=root;Pwd=$password;AllowUserVariables=True;"
  fi
  printf '{"ConnectionStrings": {"ConnectionString": "%s", "DataProvider": "%s"}}' \
    "$connection" "$provider" >"$settings/appsettings.json"
  chmod -R a+rX "$settings"
  docker rm -f "$id-app" >/dev/null 2>&1 || true
  docker run -d --name "$id-app" --label "$label" --network "$id" --memory 1g \
    -p 127.0.0.1::80 -v "$settings:/app/App_Data" "$2" >/dev/null
  waitfor "$id-app" 'Application started'
}

pages() {  # pages FILE: every path in it, one curl, one kept-alive connection, bodies dropped
  local port
  port=$(docker port "$id-app" 80/tcp | head -1 | sed 's/.*://')
  [ -s "$1" ] || return 0
  sed "s|.*|url = \"http://127.0.0.1:$port&\"\noutput = \"/dev/null\"|" "$1" \
    | curl -sS --config - >/dev/null
}

mark start
docker network create --label "$label" "$id" >/dev/null
database "$id-db"
if [ "$restore" = default ]; then
  mark end
  exit 0
fi
mark baseline
sql "$id-db" "$work/count.sql" >/dev/null
mark upgrade
sql "$id-db" "$work/safe.sql" >/dev/null
sql "$id-db" "$work/snapshot.sql" >"$rows/before.rows"
store "$id-db" "$source_app"
pages "$work/before.urls"
store "$id-db" "$target_app"
mark checks
pages "$work/after.urls"
sql "$id-db" "$work/count.sql" >/dev/null
sql "$id-db" "$work/snapshot.sql" >"$rows/after.rows"
diff "$rows/before.rows" "$rows/after.rows" >"$rows/changed.rows" || true  # the upgrade's
sql "$id-db" "$work/restart.sql" >"$rows/restart-before.rows"
store "$id-db" "$target_app"
pages "$work/restart.urls"
sql "$id-db" "$work/restart.sql" >"$rows/restart-after.rows"
diff "$rows/restart-before.rows" "$rows/restart-after.rows" >"$rows/restart.diff" || true
docker rm -f "$id-app" >/dev/null
database "$id-db2"
sql "$id-db2" "$work/safe.sql" >/dev/null
store "$id-db2" "$source_app"
pages "$work/rollback.urls"
mark teardown
cleanup
trap - EXIT
mark end
