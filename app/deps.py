"""Annotated dependencies the routers share. They are ``async def`` although none of them waits:
FastAPI runs a plain ``def`` dependency in its thread pool, and under load those hand-offs (and
the GIL contention they bring) cost more than the dependencies themselves. ``PrincipalDep``,
``require`` and ``ActorDep`` (the caller, authenticated) come from ``app/auth.py`` and are
re-exported here."""

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import ActorDep, PrincipalDep, require
from app.domain.dates import IsoDate
from app.domain.grants import RulesCatalog
from app.domain.identity import CitizenKeyer
from app.domain.ledger.service import Ledger
from app.domain.rules import pick_language
from app.domain.vault import SsinVault
from app.domain.wallet import WalletOptions
from app.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request and one commit point: after the endpoint returned, before the
    response is sent (``scope="function"``), so a failed commit can never follow a 2xx. With a
    replica, a write's answer carries the primary's WAL position after the commit
    (``LLR-Write-LSN``, see app/replica.py)."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        if request.method not in ("GET", "HEAD") and hasattr(
            request.app.state, "replica_sessionmaker"
        ):
            # the answer is not built yet: app.replica.WriteLsnHeader adds it to the response
            lsn = await session.scalar(text("SELECT pg_current_wal_lsn()::text"))
            request.state.write_lsn = str(lsn)


async def get_keyer(request: Request) -> CitizenKeyer:
    keyer: CitizenKeyer = request.app.state.keyer
    return keyer


async def get_today(request: Request) -> date:
    """Today in Brussels by the app's clock: the one every endpoint uses (tests move it)."""
    now: datetime = request.app.state.clock()
    return now.astimezone(ZoneInfo("Europe/Brussels")).date()


async def get_as_of(
    request: Request,
    as_of: Annotated[
        IsoDate | None,
        Query(alias="asOf", description="Date the answer is for (default: today, Brussels)"),
    ] = None,
) -> date:
    return as_of if as_of is not None else await get_today(request)


async def get_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description="The language of messages: nl (default), fr, en, de",
            examples=["nl"],
        ),
    ] = None,
) -> str:
    return pick_language(accept_language)


AcceptLanguageDep = Annotated[str, Depends(get_language)]


def localised(response: Response, language: str) -> None:
    """Says the answer's language and that it depends on ``Accept-Language`` (caches)."""
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
KeyerDep = Annotated[CitizenKeyer, Depends(get_keyer)]
AsOfDep = Annotated[date, Depends(get_as_of)]
TodayDep = Annotated[date, Depends(get_today)]


async def get_vault(request: Request) -> SsinVault:
    vault: SsinVault = request.app.state.vault
    return vault


async def get_ledger(request: Request, session: SessionDep) -> Ledger:
    return Ledger(
        session,
        request.app.state.catalog,
        request.app.state.entitlements,
        request.app.state.vault,
        now=request.app.state.clock(),
    )


async def get_catalog(request: Request) -> RulesCatalog:
    """The incentives the service knows: the rules' and the sector funds'."""
    catalog: RulesCatalog = request.app.state.catalog
    return catalog


def wallet_options(settings: Settings) -> WalletOptions:
    """What the settings say about judging a wallet read."""
    return WalletOptions(
        settings.expiring_days, timedelta(hours=settings.federal_stale_after_hours)
    )


async def get_wallet_options(request: Request) -> WalletOptions:
    return wallet_options(request.app.state.settings)


VaultDep = Annotated[SsinVault, Depends(get_vault)]
WalletOptionsDep = Annotated[WalletOptions, Depends(get_wallet_options)]
CatalogDep = Annotated[RulesCatalog, Depends(get_catalog)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]

__all__ = [
    "AcceptLanguageDep",
    "ActorDep",
    "AsOfDep",
    "CatalogDep",
    "KeyerDep",
    "LedgerDep",
    "PrincipalDep",
    "SessionDep",
    "SettingsDep",
    "VaultDep",
    "WalletOptionsDep",
    "require",
]
