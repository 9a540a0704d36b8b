"""WSGI entry point of dragon-api for uwsgi, gunicorn or mod_wsgi.

    gunicorn 'dragon.wsgi.api:application'
    uwsgi --module dragon.wsgi.api:application

Configuration comes from $DRAGON_CONFIG_FILE (default /etc/dragon/dragon.conf).
"""

from dragon.api import app

application = app.init_application()
