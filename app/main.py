"""The application factory: routers, problem handlers, middleware and the lifespan that owns the
database engine and sessionmaker."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import problems
from app.auth import build_verifier
from app.db import create_engine, create_sessionmaker
from app.domain.access.partners import load_registry
from app.domain.grants import RulesCatalog
from app.domain.identity import CitizenKeyer
from app.domain.settlement import RulesEntitlements
from app.domain.vault import SsinVault
from app.domain.webhooks.delivery import Schedule, run_worker
from app.middleware import RequestContext, SecurityHeaders
from app.observability import configure_logging
from app.openapi import finish
from app.pages import router as pages_router
from app.pages import statistics as statistics_page
from app.replica import WriteLsnHeader
from app.routers import (
    access_log,
    citizens,
    docs,
    eligibility,
    incentives,
    operations,
    simulations,
    statistics,
    subscriptions,
    trainings,
    transactions,
    wallet,
)
from app.security.rate_limits import PartnerRateLimits
from app.settings import Settings, get_settings, parse_ssin_keys
from app.strict_input import StrictInput

DESCRIPTION = """
The **leer- en loopbaanrekening (LLR)**, the learning and career account of Flanders: one wallet
per citizen with their training and career rights, in money and in time, and a wizard that tells
anyone what they are entitled to and why.

Errors are `application/problem+json` in the Belgif shape. Every response carries
`BelGov-Trace-Id`.

**Authorization**: every operation except `/health`, `/metrics` and these pages needs an OAuth2
access token (`Authorization: Bearer <JWT>`) of a trusted issuer, with the scope the operation
names. A token with an `ssin` claim is *citizen-bound*: it sees and acts on that citizen only.
"""
DEVELOPMENT_HINT = """
In development, `./dev llr token --partner dwse` prints a token to paste in **Authorize**
(bearer `accessToken`).
"""
"""Shown only where the development issuer is trusted: never in production."""

TAGS = [
    {"name": "eligibility", "description": "Who is entitled to what, and why (the wizard)"},
    {"name": "incentives", "description": "The catalogue of incentives and their dated parameters"},
    {"name": "trainings", "description": "The ODB training catalogue the service holds"},
    {"name": "citizens", "description": "Facts declared about a citizen, versioned"},
    {"name": "wallet", "description": "A citizen's rights and balances"},
    {"name": "transactions", "description": "Moving rights: reserve, capture, release, redeem..."},
    {"name": "operations", "description": "Health and metrics"},
    {"name": "audit", "description": "Who consulted a wallet or acted on it"},
    {"name": "statistics", "description": "Take-up per group, small cells suppressed"},
    {"name": "webhooks", "description": "Subscriptions to events, their deliveries and replays"},
    {"name": "simulations", "description": "Reforms run on the population with the same rules"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        replica = None
        if settings.database_replica_url:
            # straight to the replica (a PgBouncer of its own would be configured like the
            # primary's: LLR_DB_PGBOUNCER applies to both)
            replica = create_engine(settings, settings.database_replica_url)
            app.state.replica_sessionmaker = create_sessionmaker(replica)
        stop, worker = asyncio.Event(), None
        if settings.webhooks_worker:
            worker = asyncio.create_task(
                run_worker(
                    app.state.sessionmaker,
                    app.state.vault,
                    Schedule(
                        settings.webhook_retry_seconds,
                        settings.webhook_timeout_seconds,
                        settings.webhook_lease_seconds,
                    ),
                    settings.webhook_poll_seconds,
                    stop,
                )
            )
        try:
            yield
        finally:
            stop.set()
            if worker is not None:
                await worker
            await engine.dispose()
            if replica is not None:
                await replica.dispose()

    app = FastAPI(
        title="LLR: leer- en loopbaanrekening",
        version="0.1.0",
        description=DESCRIPTION + (DEVELOPMENT_HINT if settings.trusts_dev_issuer else ""),
        contact={"name": "Departement Werk en Sociale Economie: the LLR service"},
        openapi_tags=TAGS,
        lifespan=lifespan,
        separate_input_output_schemas=False,
        docs_url=None,  # served by app/routers/docs.py, from a package: no CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            servers = [{"url": settings.public_base_url or "/", "description": "This service"}]
            development = settings.trusts_dev_issuer
            app.openapi_schema = finish(FastAPI.openapi(app), servers, development)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.keyer = CitizenKeyer(settings.citizen_key_secret.get_secret_value().encode())
    keys, current = parse_ssin_keys(settings.ssin_keys.get_secret_value())
    app.state.vault = SsinVault(keys, current)
    app.state.partners = load_registry(settings.partners_file)
    app.state.verifier = build_verifier(settings)
    app.state.rate_limits = PartnerRateLimits(settings.rate_limit)
    app.state.catalog = RulesCatalog(app.state.partners.sector_incentives)
    app.state.entitlements = RulesEntitlements()
    app.state.clock = lambda: datetime.now(UTC)  # tests move time by replacing it
    problems.install(app)
    app.include_router(eligibility.router)
    app.include_router(incentives.router)
    app.include_router(trainings.router)
    app.include_router(citizens.router)
    app.include_router(wallet.router)
    app.include_router(transactions.router)
    app.include_router(access_log.router)
    app.include_router(subscriptions.router)
    app.include_router(statistics.router)
    app.include_router(simulations.router)
    app.include_router(statistics_page.router)
    app.include_router(operations.router)
    app.include_router(pages_router)
    app.include_router(docs.router)
    app.mount(docs.ASSETS_PATH, docs.assets(), name="docs-assets")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "BelGov-Trace-Id",
                "Accept-Language",
            ],
            expose_headers=["BelGov-Trace-Id", "Location", "Idempotency-Replayed"],
        )
    if settings.database_replica_url:
        app.add_middleware(WriteLsnHeader)
    app.add_middleware(StrictInput)  # innermost: reads the body under the size limit
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        RequestContext,
        max_body_bytes=settings.max_body_bytes,
        timeout_seconds=settings.request_timeout_seconds,
        max_header_count=settings.max_header_count,
        max_header_bytes=settings.max_header_bytes,
    )
    return app
