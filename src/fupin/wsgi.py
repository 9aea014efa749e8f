import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
os.environ.setdefault("FUPIN_SERVING", "1")  # a server: refuse the development key (fupin.core.apps)
application = get_wsgi_application()
