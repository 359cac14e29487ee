#!/bin/sh
# readiness: the platform answered within the last 30 seconds; liveness: the agent process runs.
case "$1" in
  readiness)
    [ -f /tmp/connected ] || exit 1
    last=$(cat /tmp/connected)
    now=$(date +%s)
    [ $((now - last)) -lt 30 ]
    ;;
  *)
    exit 0
    ;;
esac
