"""The ODB catalogue: reading exports (bad rows reported and skipped), storing, and the
``llr trainings import`` command against the real database."""

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cli import main
from app.db import create_engine
from app.domain.rules.catalogue import BadRow, CatalogueError, read_catalogue
from app.domain.rules.tables import TrainingRow
from app.domain.rules.training import TrainingInfo, TrainingKind
from app.domain.rules.training_store import find_training, upsert_trainings
from app.settings import Settings

HEADER = "odbId,title,provider,kind,contactHours,studyPoints,vovEligible,voucherEligible\n"


def test_sample_catalogue_is_clean(repo_root: Path) -> None:
    rows = list(read_catalogue(repo_root / "app/domain/rules/catalogue_data/sample_trainings.csv"))
    assert len(rows) == 11
    assert all(isinstance(r, TrainingInfo) for r in rows)


def test_bad_csv_rows_are_reported_by_line_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "odb.csv"
    path.write_text(
        HEADER
        + "ODB-1,Good,Prov,course,40,,ja,nee\n"
        + ",No id,Prov,course,40,,true,true\n"
        + "ODB-3,Bad kind,Prov,lecture,40,,true,true\n"
        + "ODB-4,Bad hours,Prov,course,-1,,true,true\n"
        + "ODB-5,Bad flag,Prov,course,40,,maybe,true\n"
        + "ODB-6,Good too,Prov,higherEducation,,60,1,0\n"
    )
    rows = list(read_catalogue(path))
    bad = {r.line: r.message for r in rows if isinstance(r, BadRow)}
    assert set(bad) == {3, 4, 5, 6}
    assert "odbId" in bad[3]
    assert "kind" in bad[4]
    assert "contactHours" in bad[5]
    assert "vovEligible" in bad[6]
    good = [r for r in rows if isinstance(r, TrainingInfo)]
    assert [g.odb_id for g in good] == ["ODB-1", "ODB-6"]
    assert (good[0].vov_eligible, good[0].voucher_eligible) == (True, False)
    assert good[1].kind is TrainingKind.HIGHER_EDUCATION


def test_json_and_json_lines(tmp_path: Path) -> None:
    records = [{"odbId": "J-1", "title": "One", "contactHours": "32"}, {"odbId": "J-2"}]
    (tmp_path / "odb.json").write_text(json.dumps({"trainings": records}))
    rows = list(read_catalogue(tmp_path / "odb.json"))
    assert isinstance(rows[0], TrainingInfo)
    assert rows[1] == BadRow(2, "missing title")
    (tmp_path / "odb.jsonl").write_text('{"odbId": "L-1", "title": "x"}\n\n{oops\n')
    lines = list(read_catalogue(tmp_path / "odb.jsonl"))
    assert isinstance(lines[0], TrainingInfo)
    assert isinstance(lines[1], BadRow)
    assert lines[1].line == 3


def test_unknown_columns_or_format_reject_the_file(tmp_path: Path) -> None:
    (tmp_path / "odb.csv").write_text("odbId,title,price\nA,B,3\n")
    with pytest.raises(CatalogueError, match="price"):
        list(read_catalogue(tmp_path / "odb.csv"))
    (tmp_path / "odb.xml").write_text("<x/>")
    with pytest.raises(CatalogueError, match="format"):
        list(read_catalogue(tmp_path / "odb.xml"))


async def test_upsert_replaces_by_odb_id(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        await upsert_trainings(
            session, [TrainingInfo(odb_id="U-1", title="Old", vov_eligible=True)]
        )
        await upsert_trainings(session, [TrainingInfo(odb_id="U-1", title="New")])
        found = await find_training(session, "U-1")
        assert found is not None
        assert (found.title, found.vov_eligible) == ("New", False)
        assert await find_training(session, "U-2") is None


def test_import_command_keeps_good_rows(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.settings import get_settings

    assert settings.database_url
    path = tmp_path / "odb.csv"
    path.write_text(HEADER + "CLI-1,Kept,P,course,40,,true,true\nCLI-2,Bad,P,nope,1,,true,true\n")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        assert main(["trainings", "import", str(path)]) == 0
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    assert "imported 1 trainings, skipped 1 bad rows" in captured.out
    assert f"{path}:3: skipped" in captured.err

    async def kept_and_cleaned() -> TrainingInfo | None:
        engine = create_engine(settings)
        async with async_sessionmaker(engine)() as session:
            kept = await find_training(session, "CLI-1")
            await session.execute(delete(TrainingRow).where(TrainingRow.odb_id.like("CLI-%")))
            await session.commit()
        await engine.dispose()
        return kept

    kept = asyncio.run(kept_and_cleaned())
    assert kept is not None
    assert kept.title == "Kept"
