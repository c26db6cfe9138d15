#!/usr/bin/env bash
# `npm run setup`: services, dependencies, build, a local config with a fresh encryption key, and the schema.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh
# npm install, not npm ci: it installs the versions pinned in package-lock.json, while this npm's ci rejects
# any lockfile it writes for msgpackr's optional per-platform packages (a bullmq dependency).
npm install --no-audit --no-fund
npm run build

wrote_config=no
if [ ! -f fleet.config.json ] && [ -z "${FLEET_ENCRYPTION_KEY:-}" ]; then
  umask 077
  printf '{\n  "encryptionKey": "%s"\n}\n' "$(node bin/fleet key generate)" > fleet.config.json
  wrote_config=yes
  echo "wrote fleet.config.json with a new encryption key (keep it: stored credentials need it)"
fi

database_url=$(node -e "require('reflect-metadata'); console.log(require('./dist/src/config/load-config').loadConfig().databaseUrl)")
database=$(node -e "console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))" "$database_url")
admin_url=$(node -e "const u = new URL(process.argv[1]); u.pathname = '/postgres'; console.log(u.toString())" "$database_url")
if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
  psql "$admin_url" -qc "CREATE DATABASE \"$database\""
  echo "created database $database"
fi
node bin/fleet migrate
# A database that already holds credentials sealed under another key (set up from another checkout) would fail every
# refresh later; refuse it now, and take back a config this run wrote so that nothing of it is left half-done.
if ! node bin/fleet key check; then
  if [ "$wrote_config" = yes ]; then
    rm -f fleet.config.json
    echo "removed the fleet.config.json written above"
  fi
  exit 1
fi
echo "setup done: run 'npm start' for the demo, 'npm test' for the tests"
