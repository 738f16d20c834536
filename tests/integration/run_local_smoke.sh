#!/usr/bin/env bash
# `make run` smoke test: scripts/run-local on free ports with its own Redis, in a temp data dir,
# must bring all three services to healthy and then stop everything it started.
set -euo pipefail
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KOCRUIT_BACKEND_PORT=$(free_port) KOCRUIT_AGENT_PORT=$(free_port) KOCRUIT_VIDEO_PORT=$(free_port)
export KOCRUIT_REDIS_URL="redis://127.0.0.1:$(free_port)"
export KOCRUIT_DATA_DIR="$tmp" KOCRUIT_RUN_ONCE=1
out=$("$KC_SOURCE_DIR/scripts/run-local" 2>&1) || { echo "$out"; echo "FAIL: run-local exited non-zero"; exit 1; }
echo "$out"
grep -q "all healthy" <<<"$out" || { echo "FAIL: no 'all healthy' line"; exit 1; }
grep -q "starting redis-server" <<<"$out" || { echo "FAIL: run-local did not start its own redis"; exit 1; }
# everything it started is gone
sleep 0.5
for p in $KOCRUIT_BACKEND_PORT $KOCRUIT_AGENT_PORT $KOCRUIT_VIDEO_PORT; do
  if curl -fsS "http://127.0.0.1:$p/health" >/dev/null 2>&1; then echo "FAIL: port $p still serving"; exit 1; fi
done
echo "run-local smoke: 1 passed, 0 failed"
