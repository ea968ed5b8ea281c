"""`python -m dashboard`: build data/build/ if missing, then serve on $HOST:$PORT (default
127.0.0.1:8050) with Flask's development server. For development and tests only: `make run` and
production use gunicorn (see the Procfile)."""
from __future__ import annotations

import gc
import os
import sys

from dashboard import config


def main() -> int:
    from etl.build import ensure_build

    ensure_build(config.raw_dir(), config.build_dir())
    gc.disable()  # until the app is ready (see dashboard.app.ready); a build above runs with it
    from dashboard.app import ready

    app = ready()
    from dashboard.security import quiet_request_handler

    app.run(host=os.environ.get("HOST") or "127.0.0.1", port=config.port(), debug=False,
            request_handler=quiet_request_handler())
    return 0


if __name__ == "__main__":
    sys.exit(main())
