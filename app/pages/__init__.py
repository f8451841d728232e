"""The citizen's pages, server-rendered from the domain (never through the HTTP API): the
Wegwijzer wizard (``/wegwijzer``) and the citizen's own account (``/mijn-rekening``)."""

from fastapi import APIRouter
from starlette.responses import Response

from app.pages import account, dev_login, wegwijzer
from app.pages.rendering import stylesheet

router = APIRouter(include_in_schema=False)
router.include_router(wegwijzer.router)
router.include_router(account.router)
router.include_router(dev_login.router)


@router.get("/static/pages.css")
async def pages_css() -> Response:
    return stylesheet()
