#!/usr/bin/env bash
# The Snowflake stand-in: fakesnow's server in its own venv at .standins/fakesnow.
# fakesnow 0.12.1 pins sqlglot~=30.22 and duckdb~=2.0 while the project needs sqlglot>=30.30, so it
# cannot share the project's venv; the tests start `.standins/fakesnow/bin/fakesnow -s` as a process
# and our connector reaches it over HTTP. The connector is pinned <5: 5.x cannot import fakesnow
# (no snowflake.connector.converter). Idempotent: a venv whose fakesnow imports is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"  # not this folder: its snowflake.py would shadow the driver in the import check
venv="$root/.standins/fakesnow"
if [ -x "$venv/bin/fakesnow" ] && "$venv/bin/python" -c "import fakesnow.server" 2>/dev/null; then
  echo "fakesnow: already installed in $venv" >&2
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "fakesnow[server]==0.12.1" "snowflake-connector-python>=4,<5"
"$venv/bin/python" -c "import fakesnow.server"
echo "fakesnow: installed in $venv" >&2
