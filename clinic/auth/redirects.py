"""Where a login may send the browser afterwards: a path on this site, never another host.

The target is read the way a browser will read it (the WHATWG URL rules: tabs and newlines are dropped
anywhere, leading and trailing control characters and spaces are stripped, a backslash counts as a
slash), then parsed with ``urllib.parse`` against this site's own address. Only a result on this
host whose path does not start with ``//`` (which a browser reads as another host) is kept.
"""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_DROPPED = str.maketrans("", "", "\t\n\r")
_STRIPPED = "".join(chr(c) for c in range(0x21))
# What may stay unquoted in a path and query (RFC 3986 reserved and unreserved characters, and %).
_SAFE = "/:@!$&'()*+,;=-._~%?#"


def safe_next(target: str | None, site: str) -> str | None:
    """``target`` as a path on ``site`` (e.g. ``https://clinic.example/``), or None when it is not one."""
    if not target:
        return None
    cleaned = target.translate(_DROPPED).strip(_STRIPPED).replace("\\", "/")
    if not cleaned:
        return None
    base = urlsplit(site)
    parts = urlsplit(urljoin(site, cleaned))
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return quote(urlunsplit(("", "", parts.path, parts.query, "")), safe=_SAFE)
