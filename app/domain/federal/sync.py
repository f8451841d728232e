"""``llr federal sync``: the federal learning account's change feed into the ledger. The federal
account is the source of truth of the federal training right; the service never computes it.

Page by page, in one database transaction each (with the feed's cursor, so a crash resumes
after the last page committed): the latest change per citizen and window is compared with what
the sync posted from that account before, and the difference is posted through the one posting
path, with the legs a request's ``grant`` and ``redeem`` build, as the federal partner (whose
registry permissions must allow it): a ``grant`` per year whose accrual grew, a ``redeem`` for
days used on the federal side. Each carries a unique token made of the federal change id, so a
change is posted at most once whatever happens; a change already applied (its version is not
newer) posts nothing. What cannot be posted (an accrual or a use lowered by the federal side, a
use larger than what is available here) is left to the reconciliation report."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.access import record_accesses
from app.domain.access.partners import PartnerPolicy
from app.domain.citizens import remember_citizens
from app.domain.errors import DomainError
from app.domain.federal import store
from app.domain.federal.model import Change, FederalFeed, FederalProblem, FederalUnavailable
from app.domain.identity import CitizenKeyer, Ssin
from app.domain.ledger.booking import grant_legs, redeem_legs
from app.domain.ledger.ports import Actor
from app.domain.ledger.repository import (
    NewTransaction,
    Posting,
    lock_rights,
    plan_for_batches,
    post,
)
from app.domain.periods import BRUSSELS, PeriodKind, federal_right_period, parse_key
from app.domain.quantities import Unit
from app.domain.vault import SsinVault

INCENTIVE = "opleidingsrecht"
ENDPOINT = "llr federal sync"


class NotPermitted(DomainError):
    """The registry does not let the federal partner post what the sync must post."""


@dataclass(slots=True)
class SyncReport:
    pages: int = 0
    changes: int = 0
    applied: int = 0
    """Accounts whose newer version was applied (posted or not)."""
    already_applied: int = 0
    grants: int = 0
    redeems: int = 0
    citizens_posted: int = 0
    not_posted: int = 0
    """Accounts left with a difference the sync cannot post (see the reconciliation)."""
    rejected: list[str] = field(default_factory=list)
    """Changes refused as not a federal training account (by change id and why, no SSIN)."""
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    keyer: CitizenKeyer
    vault: SsinVault
    actor: Actor
    now: Callable[[], datetime]


def _checked(policy: PartnerPolicy) -> None:
    for type_ in ("grant", "redeem"):
        if not (policy.may_post(type_) and policy.may_post_incentive(INCENTIVE)):
            raise NotPermitted(
                f"partner {policy.name} may not post {type_} of {INCENTIVE}: the registry "
                "decides what the federal sync may post"
            )


async def sync(
    sessions: async_sessionmaker[AsyncSession],
    feed: FederalFeed,
    keyer: CitizenKeyer,
    vault: SsinVault,
    policy: PartnerPolicy,
    *,
    since: date | None = None,
    page_size: int = 500,
    now: Callable[[], datetime],
    progress: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Reads the feed from the stored cursor (or from ``since``, or from its start) to its end.
    A failure of the federal side is recorded (the wallet then marks the right stale) and
    raised; what was committed stays, and the next run goes on from there."""
    _checked(policy)
    run = Run(keyer, vault, Actor(policy.name, f"federal-sync-{uuid.uuid4()}"), now)
    async with sessions() as session, session.begin():
        state = await store.read_state(session)
    cursor = None if since is not None or state is None else state.cursor
    report = SyncReport(cursor=cursor)
    try:
        while True:
            page = await feed.changes(since, cursor, page_size)
            async with sessions() as session, session.begin():
                await apply_changes(session, run, page.changes, report)
                await store.save_cursor(session, page.cursor, len(page.changes), now())
            cursor = report.cursor = page.cursor
            report.pages += 1
            report.changes += len(page.changes)
            if progress is not None:
                progress(report)
            if not page.more:
                break
    except (FederalUnavailable, FederalProblem) as exc:
        async with sessions() as session, session.begin():
            await store.finish(session, now(), str(exc))
        raise
    async with sessions() as session, session.begin():
        await store.finish(session, now(), None)
    return report


@dataclass(slots=True)
class _Plan:
    key: str
    ssin: Ssin
    change: Change
    before: store.Mirror | None
    grants: dict[int, int]
    used: int
    """Days used on the federal side not yet posted here (negative: lowered there)."""


def _window(change: Change) -> str | None:
    """Why the change is not a federal training account of a window (None: it is)."""
    try:
        period = parse_key(change.account.window)
    except ValueError:
        return "window is not a period key"
    if period.kind is not PeriodKind.WINDOW or federal_right_period(period.start) != period:
        return f"window {change.account.window} is not a window of the federal right"
    if any(not period.start.year <= year <= period.end.year for year in change.account.accruals):
        return "an accrual lies outside its window"
    return None


async def apply_changes(
    session: AsyncSession, run: Run, changes: list[Change], report: SyncReport
) -> None:
    """One page of changes, in the caller's transaction."""
    latest: dict[tuple[str, str], tuple[Ssin, Change]] = {}
    for change in changes:
        why = _window(change)
        if why is not None:
            report.rejected.append(f"{change.change_id}: {why}")
            continue
        right = (run.keyer.key(change.account.ssin), change.account.window)
        seen = latest.get(right)
        if seen is None or change.account.version > seen[1].account.version:
            latest[right] = (change.account.ssin, change)
    if not latest:
        return
    await plan_for_batches(session)
    mirrors = await store.lock_mirrors(session, list(latest))
    plans = []
    for (key, window), (ssin, change) in latest.items():
        before = mirrors.get((key, window))
        if before is not None and change.account.version <= before.federal_version:
            report.already_applied += 1
            continue
        posted = before.posted_accrued if before else {}
        grants = {
            year: days.minor - posted.get(year, 0)
            for year, days in change.account.accruals.items()
            if days.minor > posted.get(year, 0)
        }
        used = change.account.used.minor - (before.posted_used if before else 0)
        plans.append(_Plan(key, ssin, change, before, grants, used))
    report.applied += len(plans)
    await _post(session, run, plans, report)


async def _post(session: AsyncSession, run: Run, plans: list[_Plan], report: SyncReport) -> None:
    moving = [p for p in plans if p.grants or p.used > 0]
    rights = [(p.key, INCENTIVE, p.change.account.window) for p in moving]
    accounts = await lock_rights(
        session, rights, [(*r, Unit.DAY) for r, p in zip(rights, moving, strict=True) if p.grants]
    )
    now = run.now()
    today = now.astimezone(BRUSSELS).date()
    postings: list[Posting] = []
    mirrors = []
    for plan in plans:
        account = plan.change.account
        posted = dict(plan.before.posted_accrued) if plan.before else {}
        posted_used = plan.before.posted_used if plan.before else 0
        found = accounts.get((plan.key, INCENTIVE, account.window))
        if found is not None:
            account_id, available = found
            for year, minor in sorted(plan.grants.items()):
                txn = _txn(run, plan, "grant", minor, today, f"{year}", {"accrualYear": year})
                postings.append(Posting(txn, grant_legs(account_id, minor)))
                posted[year] = posted.get(year, 0) + minor
                available += minor
                report.grants += 1
            taken = min(plan.used, available)
            if taken > 0:
                txn = _txn(run, plan, "redeem", taken, today, "used", {})
                postings.append(Posting(txn, redeem_legs(account_id, Unit.DAY, None, taken)))
                posted_used += taken
                report.redeems += 1
        if posted != {y: d.minor for y, d in account.accruals.items()} or posted_used != (
            account.used.minor
        ):
            report.not_posted += 1
        mirrors.append(
            store.Mirror(
                plan.key,
                account.window,
                plan.change.change_id,
                account.version,
                {y: d.minor for y, d in account.accruals.items()},
                account.used.minor,
                account.balance.minor,
                posted,
                posted_used,
                account.changed_at,
                now,
            )
        )
    if postings:
        touched = list(dict.fromkeys(p.txn.citizen_key for p in postings if p.txn.citizen_key))
        report.citizens_posted += len(touched)
        by_key = {p.key: p.ssin for p in moving}
        await remember_citizens(session, run.vault, [(k, by_key[k]) for k in touched])
        await post(session, postings, now)
        await record_accesses(session, run.actor, touched, "transaction.federalSync", ENDPOINT)
    await store.save_mirrors(session, mirrors)


def _txn(
    run: Run,
    plan: _Plan,
    type_: str,
    minor: int,
    today: date,
    part: str,
    metadata: dict[str, object],
) -> NewTransaction:
    ciphertext, key_id = run.vault.seal(plan.ssin)
    change = plan.change
    return NewTransaction(
        type=type_,
        incentive=INCENTIVE,
        unit=Unit.DAY,
        amount=minor,
        effective_date=today,
        caller=run.actor.partner,
        citizen_key=plan.key,
        period_key=change.account.window,
        ssin_ciphertext=ciphertext,
        ssin_key_id=key_id,
        reference=f"fla:{change.change_id}",
        metadata=metadata
        | {"federalChangeId": change.change_id, "federalVersion": change.account.version},
        # the federal change id makes the posting once-only, in the database too
        unique_token=f"fla:{change.change_id}:{type_}:{part}",
        trace_id=run.actor.trace_id,
    )
