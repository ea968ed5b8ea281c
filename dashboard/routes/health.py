"""/healthz: liveness plus which build is being served."""
from flask import jsonify

from dashboard.queries import build


def register(server) -> None:
    @server.route("/healthz")
    def healthz():
        man = build.current().manifest
        return jsonify(status="ok", built_at=man.get("built_at"), observations=man.get("observations"))
