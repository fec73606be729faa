# Sourced by the benches with $1 a name: a private folder $work (under /tmp, readable by the
# PostgreSQL it will hold), and on exit the server ($server_pid, when set) and that PostgreSQL
# stopped and the folder removed.
work=$(mktemp -d "/tmp/tdkt-$1-XXXXXX")
chmod 755 "$work"
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  scripts/pg.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
