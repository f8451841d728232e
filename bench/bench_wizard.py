"""The Wegwijzer: service CPU per wizard step, and how many questions it asks.

    .venv/bin/python -m bench.bench_wizard [--renders N]

1. CPU: ``GET /wegwijzer`` for a step halfway through a run (4 answers and an "I don't know"),
   rendered N times through the ASGI app in this process (httpx.ASGITransport, no network, no
   database: the wizard needs none); ``time.process_time`` counts every thread, the rules' one
   included. Target: under 20 ms a step. Also the first step and a result page.
2. Questions: for every boundary case in ``tests/unit/rules/cases/`` the citizen answers what the
   case's facts say and "I don't know" to the rest; how many questions until the result page
   (every incentive decided or open for want of an answer) and until the case's own incentive
   is decided."""

import argparse
import asyncio
import statistics
import time
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from app.main import create_app
from app.pages import wizard
from app.settings import Settings

CASES = Path(__file__).resolve().parent.parent / "tests" / "unit" / "rules" / "cases"
HALFWAY = (
    "/wegwijzer?lang=nl&asOf=2026-11-23&status=employee&sector=private"
    "&workplaceRegion=flanders&residenceRegion=flanders&unknown=employmentFraction"
)
PAGES = {
    "first step": "/wegwijzer?lang=nl&asOf=2026-11-23",
    "halfway step": HALFWAY,
    "result page": HALFWAY + "&result=1",
}
TARGET_MS = 20.0


async def cpu_per_render(renders: int) -> dict[str, float]:
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    found = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for name, path in PAGES.items():
            for _ in range(20):  # warm: templates compiled, messages rendered once
                assert (await client.get(path)).status_code == 200
            started = time.process_time()
            for _ in range(renders):
                response = await client.get(path)
                assert response.status_code == 200
            found[name] = (time.process_time() - started) / renders * 1000
    return found


def _answers(facts: dict[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in facts.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{name}.{inner}"] = wizard.shown(item)
        elif isinstance(value, date):
            flat[name] = value.isoformat()
        else:
            flat[name] = wizard.shown(value)
    return flat


def questions_for(facts: dict[str, Any], as_of: date, incentive: str) -> tuple[int, int]:
    """(questions until the result page, questions until ``incentive`` is decided)."""
    answers = _answers(facts)
    state = wizard.State("nl", as_of)
    decided_after = None
    for asked in range(60):
        evaluation = wizard.run(state)
        own = next(r for r in evaluation.results if r.incentive == incentive)
        if decided_after is None and own.status != "undetermined":
            decided_after = asked
        question = wizard.next_question(state, evaluation)
        if question is None:
            return asked, decided_after if decided_after is not None else asked
        value = answers.get(question.answer)
        entry = wizard.Entry(question.fact, question.answer, value)
        if value is None:
            entry = wizard.Entry(question.fact, question.fact, None)
        state = state.with_entry(entry)
    raise AssertionError("the wizard did not finish")


def boundary_cases() -> list[tuple[str, dict[str, Any], date, str]]:
    cases = []
    for path in sorted(CASES.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        bases = data.get("bases", {})
        for case in data["cases"]:
            facts = {**bases.get(case.get("base", ""), {}), **case.get("facts", {})}
            cases.append((f"{path.stem}: {case['name']}", facts, case["asOf"], case["incentive"]))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300)
    args = parser.parse_args()
    cpu = asyncio.run(cpu_per_render(args.renders))
    print(f"service CPU per render, {args.renders} renders each (target < {TARGET_MS} ms):")
    for name, ms in cpu.items():
        print(f"  {name:<14} {ms:6.2f} ms")
    counted = [(name, *questions_for(f, d, i)) for name, f, d, i in boundary_cases()]
    to_result = [c[1] for c in counted]
    to_own = [c[2] for c in counted]
    worst = max(counted, key=lambda c: c[1])
    print(f"questions over {len(counted)} boundary cases (answers from the case's facts, ")
    print("'I don't know' to the rest):")
    print(
        f"  until the result page: at most {max(to_result)}, on average "
        f"{statistics.mean(to_result):.1f}, median {statistics.median(to_result)} "
        f"(most: {worst[0]})"
    )
    print(
        f"  until the case's incentive is decided: at most {max(to_own)}, on average "
        f"{statistics.mean(to_own):.1f}, median {statistics.median(to_own)}"
    )
    print(f"  questions the wizard can ask in all: {len(wizard.answer_paths())}")


if __name__ == "__main__":
    main()
