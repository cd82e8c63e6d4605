"""``leerlingimport portal``: the portal under waitress, a production WSGI server.

HTTPS ends at the library's reverse proxy, which forwards to this server on loopback. The proxy
must set ``X-Forwarded-For`` and ``X-Forwarded-Proto``; waitress trusts them only from the
proxy's address (``LEERLINGIMPORT_PORTAL_TRUSTED_PROXY``, default 127.0.0.1), so the per-address
login limit sees the real client. Cookies are always ``Secure``: browsers accept them over plain
HTTP only on 127.0.0.1 and localhost.
"""

from __future__ import annotations

import logging
import os

from leerlingimport.portal.app import MAX_UPLOAD_BYTES, create_app
from leerlingimport.settings import Settings


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the portal until stopped."""
    import waitress

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(settings)
    waitress.serve(
        app,
        host=host,
        port=port,
        ident="",  # no Server header
        threads=8,
        max_request_body_size=MAX_UPLOAD_BYTES + 2**20,  # the second cap after Flask's (UPL-03)
        trusted_proxy=os.environ.get("LEERLINGIMPORT_PORTAL_TRUSTED_PROXY", "127.0.0.1"),
        trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        clear_untrusted_proxy_headers=True,
    )
