"""GET /trainings and /trainings/{odbId}: the catalogue, searched by title, provider, kind and
flags, paginated by ODB id with sealed cursors."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.rules.catalogue import read_catalogue
from app.domain.rules.training import TrainingInfo
from app.domain.rules.training_store import upsert_trainings

SAMPLE = Path("app/domain/rules/catalogue_data/sample_trainings.csv")


@pytest.fixture
async def catalogue(db: async_sessionmaker[AsyncSession], repo_root: Path) -> list[TrainingInfo]:
    rows = [row for row in read_catalogue(repo_root / SAMPLE) if isinstance(row, TrainingInfo)]
    async with db() as session:
        await upsert_trainings(session, rows)
        await session.commit()
    return rows


async def test_search_by_title_is_case_insensitive_and_anywhere(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    response = await client.get("/trainings", params={"title": "LASSER"})
    assert response.status_code == 200, response.text
    [found] = response.json()["items"]
    assert found["odbId"] == "ODB-000123"
    assert found["contactHours"] == "160.00"
    assert response.json()["next"] is None


async def test_filters_combine_provider_kind_and_flags(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    params = {"provider": "opleidingscentrum demo", "voucherEligible": "false"}
    items = (await client.get("/trainings", params=params)).json()["items"]
    expected = [
        t.odb_id
        for t in catalogue
        if t.provider == "Opleidingscentrum Demo" and not t.voucher_eligible
    ]
    assert [i["odbId"] for i in items] == expected
    assert expected  # the sample has such a training
    courses = (await client.get("/trainings", params={"kind": "higherEducation"})).json()
    assert {i["kind"] for i in courses["items"]} == {"higherEducation"}


async def test_a_like_wildcard_is_text_not_a_pattern(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    assert (await client.get("/trainings", params={"title": "%"})).json()["items"] == []


async def test_pages_follow_next_until_the_end_and_cover_everything_once(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    seen: list[str] = []
    url: str | None = "/trainings?pageSize=3"
    while url is not None:
        page = (await client.get(url)).json()
        assert len(page["items"]) <= 3
        seen += [i["odbId"] for i in page["items"]]
        url = page["next"]
    assert seen == sorted(t.odb_id for t in catalogue if t.odb_id)


async def test_an_edited_cursor_is_400(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    response = await client.get("/trainings", params={"cursor": "ODB-000105.forged"})
    assert response.status_code == 400
    assert response.json()["issues"][0]["name"] == "cursor"


async def test_one_training_and_an_unknown_one(
    client: httpx.AsyncClient, catalogue: list[TrainingInfo]
) -> None:
    found = await client.get("/trainings/ODB-000101")
    assert found.status_code == 200
    assert found.json()["title"].startswith("Boekhouden")
    missing = await client.get("/trainings/ODB-999999")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:problem-type:belgif:resourceNotFound"


async def test_the_catalogue_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/trainings", headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.json()["type"] == "urn:problem-type:belgif:noAccessToken"
