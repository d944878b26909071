"""Production settings: served over HTTPS behind a reverse proxy (see docs/deployment.md).

``manage.py check --deploy`` with these settings reports nothing (a test keeps it so).
"""

from tongban.settings.base import *  # noqa: F403
from tongban.settings.base import CONTENT_SECURITY_POLICY
from tongban.settings.env import env_bool, env_int

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("TONGBAN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The same policy; a browser also fetches any http:// link of a page over HTTPS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True}
}
