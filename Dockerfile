# One image for the web server, the Celery workers and beat.
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only DJANGO_ALLOWED_HOSTS=build \
    ALLOW_SQLITE_IN_PRODUCTION=true python manage.py collectstatic --noinput -v 0
RUN useradd --create-home --uid 1000 brainqueue
USER brainqueue
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
