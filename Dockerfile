# syntax=docker/dockerfile:1
# The runtime image: the service and its pinned dependencies, no embedded PostgreSQL (that is
# development's, the `embedded` extra), no pip; DATABASE_URL and the production secrets come
# from the environment (`llr serve` names every missing one at once).
#
# Migrations are a release step of their own, run once per deploy before the new version serves:
#   docker run --rm --env-file llr.env IMAGE llr migrate
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml ./
COPY app ./app
RUN /venv/bin/pip install --no-cache-dir . \
    && /venv/bin/pip uninstall --yes pip setuptools

FROM python:3.11-slim
# nothing is installed at run time: the base image's pip goes too
RUN python -m pip uninstall --yes pip setuptools wheel \
    && rm -rf /usr/local/lib/python3.11/ensurepip \
    && useradd --system --uid 10001 --home /srv llr
COPY --from=build /venv /venv
WORKDIR /srv
COPY alembic.ini ./
COPY migrations ./migrations
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    LLR_ENV=production LLR_HOST=0.0.0.0 LLR_PORT=8000 LLR_MIGRATE_ON_START=false
USER llr
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["llr", "serve"]
