#!/usr/bin/env bash
# Type-checks the AWS app (sst.config.ts and stacks/) against SST's real component types.
#
# `sst install` writes those types to .sst/platform (~60 s and ~300 MB through npm, first
# run only). By default sst downloads Pulumi and Bun, which fails offline; the env vars
# below make it use npm only (see ARCHITECTURE.md, "Facts that shape the design").
# It writes under $HOME/.config/sst, so HOME points at a project-local, gitignored folder.
# Nothing here talks to AWS; deploying is a separate, credentialed step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

started=$(date +%s)

if [ ! -f .sst/platform/config.d.ts ]; then
  echo "typecheck:infra: installing SST platform types (~60 s, first run only)…"
  mkdir -p .sst-home
  install_started=$(date +%s)
  if ! HOME="$root/.sst-home" \
    SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 \
    npx --no-install sst install --stage dev; then
    echo "typecheck:infra: 'sst install' failed; .sst/platform was not written." >&2
    echo "  It needs the npm registry (it installs @pulumi/* into .sst/platform)." >&2
    exit 1
  fi
  if [ ! -f .sst/platform/config.d.ts ]; then
    echo "typecheck:infra: 'sst install' finished but .sst/platform/config.d.ts is missing." >&2
    exit 1
  fi
  echo "typecheck:infra: SST platform installed in $(( $(date +%s) - install_started )) s"
else
  echo "typecheck:infra: SST platform types present (.sst/platform); skipping install"
fi

echo "typecheck:infra: tsc -p tsconfig.infra.json…"
npx --no-install tsc -p tsconfig.infra.json
echo "typecheck:infra: ok in $(( $(date +%s) - started )) s"
