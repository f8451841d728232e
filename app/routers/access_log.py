"""/wallet/{ssin}/accessLog: who consulted a citizen's wallet or acted on it, when, through
which door. For the citizen (a token bound to them) and for auditors (``llr:audit:read``)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from app.auth import AUTH_RESPONSES, PrincipalDep
from app.deps import KeyerDep, SessionDep
from app.domain.access.log import check_log_reader, read_access_log, record_access
from app.routers.pagination import next_link, open_cursor
from app.routers.problem_docs import problem_responses
from app.schemas import ApiModel

router = APIRouter(tags=["audit"], responses=problem_responses() | AUTH_RESPONSES)


class AccessEntryOut(ApiModel):
    at: datetime
    partner: str
    action: str
    endpoint: str
    trace_id: str | None


class AccessLogPage(ApiModel):
    items: list[AccessEntryOut]
    next: str | None


@router.get(
    "/wallet/{ssin}/accessLog",
    operation_id="getAccessLog",
    summary="Who consulted this wallet or acted on it (the citizen, or llr:audit:read)",
    response_model=AccessLogPage,
)
async def get_access_log(
    ssin: Annotated[str, Path(max_length=20, examples=["85073003328"])],
    request: Request,
    session: SessionDep,
    keyer: KeyerDep,
    principal: PrincipalDep,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AccessLogPage:
    citizen_key = keyer.key(check_log_reader(principal, ssin))
    page = await read_access_log(session, citizen_key, page_size, open_cursor(request, cursor))
    await record_access(session, principal, citizen_key, "accessLog.read", principal.endpoint)
    following = next_link(request, page.next_cursor)
    return AccessLogPage(
        items=[
            AccessEntryOut(
                at=e.at,
                partner=e.partner,
                action=e.action,
                endpoint=e.endpoint,
                trace_id=e.trace_id,
            )
            for e in page.items
        ],
        next=following,
    )
