"""The upload portal (DESIGN §7.3): school contacts upload pupil files, library staff import them.

Flask with Flask-WTF (forms, CSRF) and Flask-Limiter (login throttling), sessions in the
``web_sessions`` table, served by waitress behind the library's HTTPS proxy
(``leerlingimport portal``).
"""

from leerlingimport.portal.app import create_app

__all__ = ["create_app"]
