import os

from django.core.wsgi import get_wsgi_application

from tongban.settings.quiet import silence_known_warnings

silence_known_warnings()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
application = get_wsgi_application()
