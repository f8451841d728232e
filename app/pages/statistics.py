"""GET /statistieken: the Department's dashboard, server-rendered. Take-up per incentive and
period by education level and by age band, the Matthew index over periods and what expired
unused, each chart drawn as inline SVG with its CSV download (``/statistieken/csv/{chart}``).
Nothing is loaded from another host; the policy is ``'self'`` only, no script at all.

It shows the same suppressed aggregates as ``GET /statistics/takeUp``. Who may open it:
``LLR_STATISTICS_PAGE`` (public outside production; in production a bearer token with
``llr:statistics:read``, which the Department's proxy or SSO gateway sets)."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.auth import get_principal
from app.deps import SessionDep, TodayDep
from app.domain.statistics import formats, service
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.report import TakeUpTable
from app.domain.statistics.service import Matthew, Reader
from app.domain.statistics.service import Query as StatisticsQuery
from app.observability import trace_id_var
from app.pages import statistics_charts as charts

HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
INCENTIVES = ("vov", "opleidingscheques", "loopbaancheques", "opleidingsrecht", "zorgkrediet")
Chart = Literal["education", "age", "matthew", "expired"]
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class PageReader:
    partner: str
    endpoint: str
    trace_id: str | None


async def _reader(request: Request) -> Reader:
    """The dashboard's reader: the public (``dashboard``) or the token's partner."""
    endpoint = f"GET {request.url.path}"
    if request.app.state.settings.statistics_page_public:
        return PageReader("dashboard", endpoint, trace_id_var.get())
    principal = await get_principal(request, None)
    principal.require("llr:statistics:read")
    return principal


@dataclass(frozen=True, slots=True)
class Dashboard:
    query: StatisticsQuery
    education: TakeUpTable
    age: TakeUpTable
    matthew: Matthew
    periods: list[TakeUpTable]
    pending: int


async def _dashboard(
    request: Request, session: SessionDep, today: date, incentive: str, period: str | None
) -> Dashboard:
    catalog = request.app.state.catalog
    query, left = await service.open_read(
        session,
        catalog,
        await _reader(request),
        "statistics.dashboard",
        (incentive, period, []),
        today,
    )
    one_way = [
        StatisticsQuery(query.incentive, query.period, (d,))
        for d in (Dimension.EDUCATION_LEVEL, Dimension.AGE_BAND)
    ]
    education, age = [await service.take_up(session, catalog, q, today) for q in one_way]
    found = await service.matthew(session, catalog, query, today)
    periods = [
        await service.take_up(
            session, catalog, StatisticsQuery(query.incentive, p.period, ()), today
        )
        for p in found.trend
    ]
    return Dashboard(query, education, age, found, periods, left)


IncentiveQuery = Annotated[str, Query(max_length=40)]
PeriodQuery = Annotated[str | None, Query(max_length=30)]


@router.get("/statistieken", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    session: SessionDep,
    today: TodayDep,
    incentive: IncentiveQuery = "vov",
    period: PeriodQuery = None,
) -> HTMLResponse:
    found = await _dashboard(request, session, today, incentive, period)
    shown = [
        charts.take_up_chart("education", "Take-up by education level", found.education),
        charts.take_up_chart("age", "Take-up by age band", found.age),
        charts.matthew_chart(found.matthew),
        charts.expired_chart(found.query.incentive, found.periods),
    ]
    html = TEMPLATES.get_template("statistics/dashboard.html").render(
        query=found.query,
        charts=shown,
        incentives=INCENTIVES,
        pending=found.pending,
        label=charts.LABEL,
        plot=charts.PLOT,
        width=charts.WIDTH,
        bar=charts.BAR,
        csv_query=f"incentive={found.query.incentive}&period={found.query.period.key}",
    )
    return HTMLResponse(html, headers=HEADERS)


@router.get("/statistieken/csv/{chart}")
async def chart_csv(
    request: Request,
    session: SessionDep,
    today: TodayDep,
    chart: Chart,
    incentive: IncentiveQuery = "vov",
    period: PeriodQuery = None,
) -> Response:
    found = await _dashboard(request, session, today, incentive, period)
    if chart in ("education", "age"):
        body = formats.to_csv(found.education if chart == "education" else found.age)
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if chart == "matthew":
            writer.writerow(["period", "index", "highTakeUpRate", "lowMediumTakeUpRate", "flag"])
            for p in found.matthew.trend:
                writer.writerow(
                    [
                        p.period.key,
                        p.index or "",
                        p.high.rate or "",
                        p.low_medium.rate or "",
                        "" if p.index is not None else "c",
                    ]
                )
        else:
            writer.writerow(["period", "granted", "used", "expiredUnused", "unit", "flag"])
            for table in found.periods:
                f = table.grand_total.figures
                cells = (
                    [formats.amount(table, m) for m in (f.granted, f.used, f.expired_unused)]
                    if f
                    else ["", "", ""]
                )
                writer.writerow([table.period.key, *cells, table.unit.value, "" if f else "c"])
        body = out.getvalue()
    name = f"{chart}-{found.query.incentive}-{found.query.period.key}.csv".replace("/", "_")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers=HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/statistieken/static/statistics.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "templates" / "statistics" / "statistics.css", headers=HEADERS)
