"""Links in and out of the maturity tool: which stored evidence links may be rendered as links,
and the public address that shareable assessment links are built on.

Evidence links are typed by participants, so a value that *looks* like a path on this site must
never lead off it. Browsers treat ``\\`` like ``/`` and drop tabs and newlines inside URLs, so
``/\\evil.example`` or ``/<TAB>/evil.example`` become ``//evil.example``: another host. Only two
shapes are rendered as links: an absolute ``http(s)://host/...`` URL (its text shows where it goes)
and a plain site-relative path; everything else is shown as text.

Shareable links never come from the request's ``Host`` header (anyone can send
``Host: evil.example``); they use ``PUBLIC_BASE_URL`` (e.g. ``https://wellbeing.example.gov.uk``),
or ``http://localhost:<PORT>`` when it is not set (right for a local ``make run``).
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata
import urllib.parse

from dashboard import config

log = logging.getLogger(__name__)

_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")  # no spaces, no controls, no non-ASCII
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")
# after percent-decoding, a path must not start with a second slash or backslash either
_ENCODED_TRICK = re.compile(r"%(?:2f|5c|09|0a|0d|00)", re.I)


def is_safe_href(value: str) -> bool:
    """True for ``http(s)://host/...`` and for site-relative paths that stay on this site."""
    if not isinstance(value, str) or not value or "\\" in value:
        return False
    if any(unicodedata.category(ch)[0] in "CZ" for ch in value):  # spaces, tabs, controls, format chars
        return False
    if value.startswith("/"):
        if not _PRINTABLE_ASCII.match(value):
            return False
        if value[1:2] in ("/", "\\"):
            return False
        head = value.split("?", 1)[0].split("#", 1)[0]
        if _ENCODED_TRICK.search(head):  # /%2F%2Fevil.example, /%5Cevil.example ...
            return False
        return True
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not value.lower().startswith(parts.scheme.lower() + "://"):
        return False
    # userinfo ("https://good.example@evil.example") hides the real host: shown as text only
    return bool(parts.netloc) and "@" not in parts.netloc and bool(_HOST.match(parts.netloc))


def safe_links(links: str) -> list[tuple[str, bool]]:
    """Split stored links (one per line) into (text, is_safe_href) pairs for display."""
    out = []
    for line in (links or "").splitlines():
        line = line.strip()
        if line:
            out.append((line, is_safe_href(line)))
    return out


def _valid_base(value: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return None
    if (parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc
            or not _HOST.match(parts.netloc) or parts.query or parts.fragment):
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


_warned: set[str] = set()


def public_base_url() -> str:
    """The configured public address (no trailing slash); never derived from the request."""
    raw = os.environ.get("PUBLIC_BASE_URL", "")
    if raw:
        base = _valid_base(raw)
        if base:
            return base
        if raw not in _warned:
            _warned.add(raw)
            log.warning("PUBLIC_BASE_URL %r is not an http(s) address without query; using localhost", raw[:100])
    return f"http://localhost:{config.port()}"


def absolute(path: str) -> str:
    """A shareable absolute link to ``path`` (a site path starting with '/')."""
    return public_base_url() + path
