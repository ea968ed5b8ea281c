"""`python -m dashboard`: build data/build/ if missing, then serve on $PORT (default 8050)."""
from __future__ import annotations

import sys

from dashboard import config


def main() -> int:
    from etl.build import ensure_build

    ensure_build(config.raw_dir(), config.build_dir())
    from dashboard.app import create_app, prime, warm

    app = create_app()
    prime(app)
    warm()
    app.run(host="0.0.0.0", port=config.port(), debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
