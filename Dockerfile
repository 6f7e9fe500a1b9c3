# One image for the web server, every Celery worker and beat (docker-compose.yml, docs/deploy.md).
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
# bubblewrap: the exercise grader's sandbox (the grading worker refuses to grade without it);
# gettext: msgfmt compiles the Chinese translations below; gcc and libc6-dev: TVM's export_library links a
# compiled model into a shared library with the system's C compiler (the tvm-relax-onnx exercise, in the sandbox);
# g++: compiles C++ submissions into the kernels the grader calls (grader/cpp_build.py, in the sandbox).
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap gettext gcc g++ libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.txt requirements/lab.txt requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
# The deployment lab's runtimes, which the grading worker and its sandbox import (read-only, like numpy).
# One thread each: the sandbox sets OMP_NUM_THREADS/TVM_NUM_THREADS, the grader pins the runtimes' own pools.
RUN pip install --no-cache-dir -r requirements/lab.txt
COPY . .
# Hashed, compressed static files for whitenoise, and the compiled catalogue; a throwaway key and SQLite
# only let the settings load at build time.
RUN msgfmt --check-format -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po \
    && DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only DJANGO_ALLOWED_HOSTS=build \
    ALLOW_SQLITE_IN_PRODUCTION=true python manage.py collectstatic --noinput -v 0
RUN useradd --create-home --uid 1000 brainqueue
USER brainqueue
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn_conf.py", "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--access-logfile", "-"]
