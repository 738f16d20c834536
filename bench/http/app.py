"""bench/http/app.py — the peer for bench/http/run: the original Python stack's /health.

Design: the system kocruit replaces served its API with FastAPI on uvicorn, one worker. This
app is that stack reduced to the route being compared, written the way FastAPI code is
normally written (an `async def` handler returning a dict that FastAPI serialises), so the
comparison measures the framework, not a hand-tuned variant of it.

The body is the same JSON document kocruit-backend answers on GET /health: bench/http/run
fetches it from the running backend and passes it in PEER_HEALTH_JSON, so both servers send
the same bytes. Without that variable (running the peer on its own) it answers the documented
shape of lib/core/service.h. Unlike kocruit, the peer does not ping Redis or the database per
request; any difference that makes is in the peer's favour.

Run: /usr/bin/python3 -m uvicorn app:app --app-dir bench/http --port P --log-level warning
(Debian python3-fastapi 0.92 and python3-uvicorn 0.17.6 are seen only by /usr/bin/python3.)
"""

import json
import os

from fastapi import FastAPI

_DEFAULT_BODY = {
    "status": "ok",
    "service": "backend",
    "version": "peer",
    "checks": {"redis": "ok", "db": "ok"},
}


def _load_body() -> dict:
    raw = os.environ.get("PEER_HEALTH_JSON", "")
    if not raw:
        return _DEFAULT_BODY
    body = json.loads(raw)  # a malformed document stops the peer at start-up, loudly
    if not isinstance(body, dict):
        raise ValueError("PEER_HEALTH_JSON must be a JSON object")
    return body


HEALTH_BODY = _load_body()

app = FastAPI()


@app.get("/health")
async def health() -> dict:
    return HEALTH_BODY
