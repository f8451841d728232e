"""/wallet/{ssin}/accessLog: who consulted a citizen's wallet or acted on it, when, through
which door. For the citizen (a token bound to them) and for auditors (``llr:audit:read``)."""

from fastapi import APIRouter, Request

from app.auth import PrincipalDep
from app.deps import KeyerDep, SessionDep
from app.domain.operations import read_citizen_log
from app.pagination import next_link, open_cursor
from app.schemas.access_log import AccessLogPage
from app.schemas.common import CursorQuery, PageSizeQuery, SsinPath
from app.schemas.problems import problem_responses

router = APIRouter(tags=["audit"])


@router.get(
    "/wallet/{ssin}/accessLog",
    operation_id="getAccessLog",
    summary="Who consulted this wallet or acted on it (the citizen, or llr:audit:read)",
    description="Newest first, with cursor pagination (`pageSize`, `next`). Readable by the "
    "citizen (a token bound to them with `llr:wallet:read`) and by `llr:audit:read`; the read "
    "is itself on the log.",
    response_model=AccessLogPage,
    responses=problem_responses(),
)
async def get_access_log(
    ssin: SsinPath,
    request: Request,
    session: SessionDep,
    keyer: KeyerDep,
    principal: PrincipalDep,
    page_size: PageSizeQuery = 50,
    cursor: CursorQuery = None,
) -> AccessLogPage:
    opened = open_cursor(request, cursor)
    page = await read_citizen_log(session, keyer, principal, ssin, page_size, opened)
    return AccessLogPage.of(page, next_link(request, page.next_cursor))
