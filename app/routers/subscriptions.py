"""/subscriptions: a partner's webhooks, their deliveries, and the replay of a delivery."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.auth import PrincipalDep
from app.deps import SessionDep, SettingsDep, VaultDep
from app.domain.errors import NotFound
from app.domain.webhooks import history, subscriptions
from app.domain.webhooks.history import DeliveryPending
from app.pagination import next_link, open_cursor
from app.schemas.problems import problem_responses
from app.schemas.subscriptions import (
    DeliveryOut,
    DeliveryPage,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPage,
)

router = APIRouter(tags=["webhooks"], responses=problem_responses(NotFound))
SubscriptionId = Annotated[uuid.UUID, Path(alias="subscriptionId")]


@router.post(
    "/subscriptions",
    operation_id="createSubscription",
    summary="Subscribe a URL to events (the signing secret is in this answer only)",
    description="Events (`right.granted`, `right.expiring`, `hold.*`, `transaction.reversed`) "
    "are delivered at least once to `url`, signed per Standard Webhooks with the `secret` of "
    "this answer (never shown again). Only incentives the partner may read; a citizen-bound "
    "token's subscription hears of that citizen only. Needs `llr:transactions:read` or "
    "`llr:transactions:write`.",
    status_code=201,
    response_model=SubscriptionOut,
)
async def create_subscription(
    body: SubscriptionIn,
    response: Response,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> SubscriptionOut:
    production = settings.env == "production"
    found = await subscriptions.subscribe(
        session, vault, principal, body.url, body.events, body.incentives, production
    )
    response.headers["Location"] = f"/subscriptions/{found.id}"
    return SubscriptionOut.of(found)


@router.get(
    "/subscriptions",
    operation_id="listSubscriptions",
    summary="The partner's own subscriptions",
    description="Every active subscription of the calling partner (at most 20), oldest first; "
    "a citizen-bound token sees its citizen's own.",
    response_model=SubscriptionPage,
)
async def list_subscriptions(session: SessionDep, principal: PrincipalDep) -> SubscriptionPage:
    found = await subscriptions.listed(session, principal)
    return SubscriptionPage(items=[SubscriptionOut.of(s) for s in found], next=None)


@router.get(
    "/subscriptions/{subscriptionId}",
    operation_id="getSubscription",
    summary="One of the partner's subscriptions",
    description="Another partner's subscription is 404. The secret is not shown.",
    response_model=SubscriptionOut,
)
async def get_subscription(
    subscription_id: SubscriptionId, session: SessionDep, principal: PrincipalDep
) -> SubscriptionOut:
    return SubscriptionOut.of(await subscriptions.one(session, principal, subscription_id))


@router.delete(
    "/subscriptions/{subscriptionId}",
    operation_id="deleteSubscription",
    summary="End a subscription (what is pending is still delivered)",
    description="No new event is queued for it; deliveries already pending are still sent.",
    status_code=204,
)
async def delete_subscription(
    subscription_id: SubscriptionId, session: SessionDep, principal: PrincipalDep
) -> Response:
    await subscriptions.unsubscribe(session, principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/subscriptions/{subscriptionId}/deliveries",
    operation_id="listDeliveries",
    summary="The subscription's deliveries, newest first, with their attempts",
    description="Per delivery: status (`pending`, `delivered`, `failed`), attempts, the next "
    "attempt and the newest 20 attempts (status code or error, duration). Paged with `next`.",
    response_model=DeliveryPage,
)
async def list_deliveries(
    subscription_id: SubscriptionId,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> DeliveryPage:
    after = _after(open_cursor(request, cursor))
    found = await history.deliveries_of(session, principal, subscription_id, after, page_size)
    more = str(found[-1].id) if len(found) == page_size else None
    return DeliveryPage(items=[DeliveryOut.of(d) for d in found], next=next_link(request, more))


@router.post(
    "/subscriptions/{subscriptionId}/deliveries/{deliveryId}/replay",
    operation_id="replayDelivery",
    summary="Send a failed (or delivered) event again, with a new schedule of retries",
    description="202: queued again; 409 `deliveryPending` while it is still being tried.",
    status_code=202,
    responses=problem_responses(NotFound, DeliveryPending),
)
async def replay_delivery(
    subscription_id: SubscriptionId,
    delivery_id: Annotated[int, Path(alias="deliveryId", ge=1, le=2**63 - 1)],
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    await history.replay(session, principal, subscription_id, delivery_id)
    return Response(status_code=202)


def _after(cursor: str | None) -> int | None:
    return int(cursor) if cursor is not None else None
