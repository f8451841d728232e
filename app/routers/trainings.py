"""GET /trainings and /trainings/{odbId}: the ODB training catalogue the service holds, so a
partner can find the ODB id of a training before asking whether it can be paid or taken."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from app.auth import PrincipalDep
from app.deps import SessionDep
from app.domain.operations import TrainingNotFound, read_training
from app.domain.rules.training_store import search_trainings
from app.pagination import next_link, open_cursor
from app.schemas.problems import problem_responses
from app.schemas.trainings import TrainingOut, TrainingPage, TrainingQueryParams

router = APIRouter(tags=["trainings"])


@router.get(
    "/trainings",
    operation_id="listTrainings",
    summary="Search the training catalogue by title, provider, kind and flags",
    description="By ODB id, with cursor pagination (`pageSize`, `next`). The catalogue is "
    "loaded with `llr trainings import` (an ODB export). Any valid token.",
    response_model=TrainingPage,
    responses=problem_responses(),
)
async def list_trainings(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    query: Annotated[TrainingQueryParams, Depends()],
) -> TrainingPage:
    after = open_cursor(request, query.cursor)
    page = await search_trainings(session, query.search, query.page_size, after)
    return TrainingPage.of(page, next_link(request, page.next_cursor))


@router.get(
    "/trainings/{odbId}",
    operation_id="getTraining",
    summary="One training of the catalogue",
    description="404 when the catalogue has no training with this ODB id. Any valid token.",
    response_model=TrainingOut,
    responses=problem_responses(TrainingNotFound),
)
async def get_training(
    odb_id: Annotated[
        str,
        Path(
            alias="odbId",
            max_length=32,
            pattern=r"^[A-Za-z0-9._-]+$",
            description="The training's ODB id",
            examples=["ODB-000123"],
        ),
    ],
    session: SessionDep,
    principal: PrincipalDep,
) -> TrainingOut:
    return TrainingOut.of(await read_training(session, odb_id))
