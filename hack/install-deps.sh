#!/usr/bin/env bash
# `make deps` (run by `make run`, `make test`...): installs the dependencies with `npm ci`
# exactly when package-lock.json differs from the one node_modules was installed from, and
# one install at a time: a second `make` started meanwhile waits for the first, then finds
# nothing left to do.
#
# What node_modules was installed from is a SHA-256 of package-lock.json kept inside it
# (node_modules/.package-lock.sha256), written after every install, a plain `npm ci` too
# (package.json's postinstall runs `hack/install-deps.sh --record`). `npm ci` deletes
# node_modules first, so a stale record can never survive a reinstall.
#
#   hack/install-deps.sh           install if needed (waits for a concurrent install)
#   hack/install-deps.sh --check   exit 0 when up to date, 1 when an install is due
#   hack/install-deps.sh --record  record the current lockfile as installed
set -euo pipefail
cd "$(dirname "$0")/.."

NPM=${ATOM_DEPS_NPM:-npm} # tests substitute a recorder for npm to check the decisions and the lock
record=node_modules/.package-lock.sha256
lockdir=.deps-install.lock

lock_hash() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum package-lock.json | cut -d' ' -f1
  else
    shasum -a 256 package-lock.json | cut -d' ' -f1
  fi
}

up_to_date() {
  [[ -f $record && "$(cat "$record")" == "$(lock_hash)" ]]
}

case "${1:-}" in
--check)
  up_to_date
  exit
  ;;
--record)
  mkdir -p node_modules
  lock_hash >"$record"
  exit 0
  ;;
"") ;;
*)
  echo "usage: $0 [--check|--record]" >&2
  exit 2
  ;;
esac

up_to_date && exit 0

# mkdir is atomic everywhere (flock is not on macOS). The holder's pid inside tells a lock
# left by a killed install from a live one.
waited=false
until mkdir "$lockdir" 2>/dev/null; do
  holder=$(cat "$lockdir/pid" 2>/dev/null || true)
  if [[ -n $holder ]] && ! kill -0 "$holder" 2>/dev/null; then
    rm -rf "$lockdir"
    continue
  fi
  if [[ $waited == false ]]; then
    echo "waiting for another dependency install (pid ${holder:-?}) to finish" >&2
    waited=true
  fi
  sleep 1
done
echo $$ >"$lockdir/pid"
trap 'rm -rf "$lockdir"' EXIT

# The other install may have done it while we waited.
up_to_date && exit 0

# npm itself runs on the system Node, which may be older than package.json's engines; the scripts
# run on the Node 24 that the `node` devDependency installs, so those engine warnings do not apply.
"$NPM" ci --no-audit --no-fund 2>&1 | { grep -v '^npm warn EBADENGINE' || true; }
lock_hash >"$record"
