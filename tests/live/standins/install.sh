#!/usr/bin/env bash
# Installs the stand-ins the live tests need that cannot share the project's venv (their pins
# conflict with ours), each in its own venv under .standins/. Idempotent: a stand-in already
# installed is kept. Runs from the repository root: in this folder `import snowflake` would find
# the fixture module snowflake.py instead of the driver.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."
for script in "$here"/install_*.sh; do
  [ -e "$script" ] || continue
  echo "stand-ins: $(basename "$script")" >&2
  bash "$script"
done
