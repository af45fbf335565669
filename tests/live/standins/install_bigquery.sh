#!/usr/bin/env bash
# BigQuery stand-in: bqemulator 1.4.0 in its own venv (.standins/bqemulator), because it pins
# sqlglot<30.12 and needs duckdb 1.5.5 (the newest DuckDB whose spatial extension PyPI packages),
# while the project's venv has newer ones. numpy is an undeclared need of bqemulator.
#
# bqemulator runs `INSTALL spatial; LOAD spatial` at start-up, which would download the extension;
# the extension file from the duckdb-extension-spatial wheel is installed offline instead, into
# DuckDB's extension folder under a HOME of our own (.standins/bqemulator-home), the same HOME the
# test fixture gives the server. Idempotent: a working install is kept.
set -euo pipefail
repository="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$repository"
venv="$repository/.standins/bqemulator"
home="$repository/.standins/bqemulator-home"
python="${PYTHON:-python3}"

installed() {
  [ -x "$venv/bin/bqemulator" ] &&
    "$venv/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("bqemulator") != "1.4.0")' &&
    compgen -G "$home/.duckdb/extensions/v1.5.5/*/spatial.duckdb_extension" >/dev/null
}

if installed; then
  echo "bqemulator: already installed in $venv" >&2
  exit 0
fi

mkdir -p "$repository/.standins" "$home"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "bqemulator==1.4.0" "duckdb==1.5.5" "duckdb-extension-spatial==1.5.5" numpy
HOME="$home" "$venv/bin/python" -c "import duckdb,glob,os,duckdb_extension_spatial as m; duckdb.connect().execute(\"INSTALL '%s'\" % glob.glob(os.path.join(os.path.dirname(m.__file__),'extensions','*','spatial.duckdb_extension'))[0])"
installed
echo "bqemulator: installed in $venv (DuckDB extensions under $home)" >&2
