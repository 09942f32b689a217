#!/bin/bash
# The same work as `rehearse run` on the bench store, by hand: the database image with its default
# settings, the engine's own client restoring the dump (pg_restore with the same --jobs rehearse
# uses, so only the server settings differ; mysql < dump), the key tables counted, the stand-in of
# the target version started on the restored database, the same pages fetched with curl, the
# tables counted again, everything removed. Prints "mark NAME SECONDS" lines for bench/run.py.
# Usage: bare.sh postgresql|mysql BACKUP DB_IMAGE APP_IMAGE MEMORY COUNT_SQL PAGE...
set -euo pipefail
provider=$1 backup=$2 db_image=$3 app_image=$4 memory=$5 count_sql=$6
shift 6
id="rehearse-bench-bare-$$"
password="Aa1_bench$$"
label="io.rehearse.bench=$id"
work=$(mktemp -d)
mark() { echo "mark $1 $EPOCHREALTIME"; }
cleanup() {
  docker rm -f "$id-app" "$id-db" >/dev/null 2>&1 || true
  docker network rm "$id" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mark start
docker network create --label "$label" "$id" >/dev/null
folder=$(cd "$(dirname "$backup")" && pwd) name=$(basename "$backup")
if [ "$provider" = postgresql ]; then
  docker run -d --name "$id-db" --label "$label" --network "$id" --memory "$memory" \
    -v "$folder:/backup:ro" -e POSTGRES_USER=nopcommerce -e POSTGRES_PASSWORD="$password" \
    -e POSTGRES_DB=nopcommerce "$db_image" >/dev/null
  until docker exec "$id-db" pg_isready -q -h 127.0.0.1 -U nopcommerce -d nopcommerce; do
    sleep 0.2; done
  mark restore
  login=(-U nopcommerce -d nopcommerce)
  docker exec "$id-db" psql -q "${login[@]}" \
    -c "CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS pgcrypto" >/dev/null
  jobs=$(docker exec "$id-db" nproc)
  docker exec "$id-db" pg_restore --no-owner --no-privileges --exit-on-error \
    --jobs "$(( jobs < 4 ? jobs : 4 ))" "${login[@]}" "/backup/$name"
  count() { docker exec "$id-db" psql -qAt "${login[@]}" -c "$count_sql"; }
  connection="Server=$id-db;Port=5432;Database=nopcommerce;User Id=nopcommerce;Password=$password;"
else
  docker run -d --name "$id-db" --label "$label" --network "$id" --memory "$memory" \
    -v "$folder:/backup:ro" -e MYSQL_ROOT_PASSWORD="$password" -e MYSQL_DATABASE=nopcommerce \
    "$db_image" >/dev/null
  # The init server listens on no port: "port: 3306" is the real one (as rehearse waits).
  until [ "$(docker logs "$id-db" 2>&1 | grep -c 'port: 3306')" != 0 ]; do sleep 0.2; done
  mark restore
  docker exec -e MYSQL_PWD="$password" "$id-db" sh -c "mysql -uroot nopcommerce < /backup/$name"
  count() { docker exec -e MYSQL_PWD="$password" "$id-db" mysql -uroot -N nopcommerce \
    -e "$count_sql"; }
  connection="Server=$id-db;Port=3306;Database=nopcommerce;Uid=root;Pwd=$password;AllowUserVariables=True;"
fi
mark baseline
count >/dev/null
mark upgrade
printf '{"ConnectionStrings": {"ConnectionString": "%s", "DataProvider": "%s"}}' \
  "$connection" "$provider" >"$work/appsettings.json"
chmod -R a+rX "$work"
docker run -d --name "$id-app" --label "$label" --network "$id" --memory 1g \
  -p 127.0.0.1::80 -v "$work:/app/App_Data" "$app_image" >/dev/null
until [ "$(docker logs "$id-app" 2>&1 | grep -c 'Application started')" != 0 ]; do
  sleep 0.2; done
mark checks
port=$(docker port "$id-app" 80/tcp | head -1 | sed 's/.*://')
for page in "$@"; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port$page"
done
count >/dev/null
mark teardown
cleanup
trap - EXIT
mark end
