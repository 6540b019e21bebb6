#!/bin/sh
# Prunes one service out of the built workspace into OUT_DIR: the service's dist/, its production
# dependencies only (workspace packages copied in as packed, third-party ones from the store),
# installed from the workspace's frozen lockfile, with no link back into the repository. OUT_DIR
# then runs on its own: `node OUT_DIR/dist/main.js`. The Dockerfiles and tests/deploy both use this
# script, so the test proves what the images ship.
#
#   deploy/scripts/prune-service.sh gate-svc /out [extra pnpm deploy flags, e.g. --offline]
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: $0 <gate-svc|manager-svc|worker-svc> <out-dir> [pnpm deploy flags]" >&2
  exit 64
fi
service=$1
out=$2
shift 2

root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$root/services/$service/package.json" ]; then
  echo "prune-service: no service named $service under services/" >&2
  exit 64
fi
if [ ! -f "$root/services/$service/dist/main.js" ]; then
  echo "prune-service: services/$service/dist/main.js is missing: build first (pnpm exec tsc -b)" >&2
  exit 1
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "prune-service: $out exists and is not empty" >&2
  exit 1
fi

cd "$root"
# pnpm deploy (pnpm 10+) copies workspace dependencies in as packed (their "files", i.e. dist/)
# and installs only "dependencies" with --prod; --frozen-lockfile refuses a lockfile that is out of
# date with the manifests instead of resolving anew. The workspace's pnpm (package.json
# "packageManager") is borrowed through npx when it is not installed.
if command -v pnpm >/dev/null 2>&1; then
  exec pnpm --filter "@hyperscale/$service" deploy --prod --frozen-lockfile "$@" "$out"
fi
exec npx --yes pnpm@12.4.2 --filter "@hyperscale/$service" deploy --prod --frozen-lockfile "$@" "$out"
