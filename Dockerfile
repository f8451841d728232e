# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml ./
COPY app ./app
RUN /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /srv llr
COPY --from=build /venv /venv
WORKDIR /srv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
ENV PATH=/venv/bin:$PATH LLR_ENV=production LLR_HOST=0.0.0.0 LLR_PORT=8000 PYTHONUNBUFFERED=1
USER llr
EXPOSE 8000
# DATABASE_URL is required here: the embedded PostgreSQL is for development only.
CMD ["sh", "-c", ": \"${DATABASE_URL:?DATABASE_URL must be set}\" && llr migrate && exec llr serve"]
