"""The shape of the maturity assessments' secret tokens (facilitator, participant, joining link)."""
from __future__ import annotations

import re
from typing import Any

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def valid_token(token: Any) -> bool:
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))
