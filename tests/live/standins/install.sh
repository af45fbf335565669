#!/usr/bin/env bash
# Installs the stand-ins the live tests need that cannot share the project's venv (their pins
# conflict with ours), each in its own venv under .standins/, plus the Debian packages.
# Idempotent: a stand-in already installed is kept.
set -euo pipefail
cd "$(dirname "$0")"
for script in install_*.sh; do
  [ -e "$script" ] || continue
  echo "stand-ins: $script" >&2
  bash "$script"
done
