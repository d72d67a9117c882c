# Multi-stage image: dependencies are built in the first stage; the runtime stage holds only the
# virtual environment and the code, and runs the server (granian, config/serve.py) as an
# unprivileged user.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY apps ./apps
COPY config ./config
RUN pip install .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.prod \
    VAR_DIR=/app/var \
    SERVER_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/nexus-metrics
RUN useradd --system --uid 10001 --create-home --home-dir /home/nexus nexus
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=nexus:nexus . .
# collectstatic needs the production settings to load; these throwaway values exist only here.
RUN mkdir -p var && \
    SECRET_KEY=build-only-secret-key-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=localhost EMAIL_URL=console: \
    FRONTEND_URL=http://localhost PUBLIC_URL=http://localhost \
    python manage.py collectstatic --noinput -v 0 && \
    chown -R nexus:nexus var
USER nexus
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live').status != 200)"
CMD ["deploy/serve.sh"]
