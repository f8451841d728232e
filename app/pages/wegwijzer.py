"""GET /wegwijzer: the wizard for anyone, one question per step, then every incentive with its
status, amounts, reasons and legal basis, and the referrals. Plain HTML forms (``method=get``):
the whole state is in the address, so a result can be bookmarked, printed and reopened."""

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import RedirectResponse, Response

from app.deps import TodayDep
from app.domain.rules import Evaluation, IncentiveResult
from app.domain.rules.messages import LANGUAGES
from app.domain.rules.questions import Question, question_for
from app.pages import wizard
from app.pages.i18n import Texts, choose_language
from app.pages.rendering import render
from app.pages.wizard import FieldError, State

router = APIRouter(include_in_schema=False)
_PASSED: dict[bool | None, tuple[str, str]] = {
    True: ("passed", "passed_true"),
    False: ("failed", "passed_false"),
}


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    label: str
    change: str


def _label(question: Question, value: str | None, texts: Texts) -> str:
    if value is None:
        return texts("unknownAnswer")
    for option in question.options:
        if wizard.shown(option.value) == value:
            return option.label
    unit = texts.unit(question.unit)
    if question.kind in ("decimal", "integer"):
        shown = texts.number(Decimal(value))
        return f"{shown} {unit}" if unit and question.unit != "fraction" else shown
    return texts.date(date.fromisoformat(value)) if question.kind == "date" else value


def _answers(state: State, texts: Texts) -> list[Answer]:
    return [
        Answer(
            question_for(e.fact, texts.language).text,
            _label(question_for(e.fact, texts.language), e.value, texts),
            wizard.change_url(state, e.fact),
        )
        for e in state.entries
    ]


def _hint(question: Question, texts: Texts) -> str:
    names = ", ".join(texts.incentive_name(code) for code in question.decides)
    decides = texts("decides", list=names) if names else ""
    if question.kind == "date":
        return f"{texts('dateHint')} {decides}".strip()
    if question.kind in ("decimal", "integer") and question.minimum is not None:
        low = texts.number(question.minimum)
        if question.maximum is not None:
            bounds = texts("between", min=low, max=texts.number(question.maximum))
        else:
            bounds = texts("atLeast", min=low)
        unit = texts.unit(question.unit)
        return f"{bounds} {f'({unit})' if unit else ''} {decides}".replace("  ", " ").strip()
    return decides


def _error_text(error: FieldError, question: Question, texts: Texts) -> str:
    if error.kind == "range" and question.minimum is not None and question.maximum is not None:
        return texts(
            "errorRange", min=texts.number(question.minimum), max=texts.number(question.maximum)
        )
    key = {
        "choose": "errorChoose",
        "value": "errorValue",
        "integer": "errorInteger",
        "date": "errorDate",
    }.get(error.kind, "errorNumber")
    return texts(key)


def _hidden(state: State, asked: str) -> list[tuple[str, str]]:
    pairs = [("lang", state.language), ("asOf", state.as_of.isoformat())]
    for entry in state.entries:
        if entry.fact == asked:
            continue
        pairs.append(("unknown", entry.fact) if entry.value is None else (entry.path, entry.value))
    return pairs


def _step(
    state: State,
    question: Question,
    texts: Texts,
    errors: list[FieldError],
    prefill: str | None,
) -> Response:
    field_id = "q-" + question.answer.replace(".", "-")
    own = next((e for e in errors if e.fact == question.fact), None)
    options = [
        {
            "id": f"{field_id}-{wizard.shown(o.value)}",
            "value": wizard.shown(o.value),
            "label": o.label,
            "checked": prefill == wizard.shown(o.value),
        }
        for o in question.options
    ]
    first_anchor = options[0]["id"] if options else field_id
    language = state.language
    summary = [
        {"anchor": first_anchor, "message": _error_text(e, question_for(e.fact, language), texts)}
        for e in errors
    ]
    return render(
        "step.html",
        texts,
        status=400 if errors else 200,
        languages={code: wizard.in_language(state, code) for code in LANGUAGES},
        question=question,
        step=len(state.entries) + 1,
        hint=_hint(question, texts),
        field_id=field_id,
        options=options,
        prefill=prefill if not options else None,
        error=_error_text(own, question, texts) if own else None,
        errors=summary,
        hidden=_hidden(state, question.fact),
        back=wizard.back_url(state),
        result_now=wizard.url(state, result="1"),
        restart=f"/wegwijzer?lang={state.language}",
        answers=_answers(state, texts),
    )


def _result_view(result: IncentiveResult, state: State, texts: Texts) -> dict[str, object]:
    amounts = []
    if result.entitlement is not None and result.status == "eligible":
        amounts.append(texts.quantity(result.entitlement))
    if result.monthly_amount is not None and result.status == "eligible":
        amounts.append(texts("perMonth", amount=texts.quantity(result.monthly_amount)))
    if result.employer_proposed_entitlement is not None and result.status == "eligible":
        extra = texts.quantity(result.employer_proposed_entitlement)
        amounts.append(texts("employerProposed", amount=extra))
    period = None
    if result.period is not None and result.status == "eligible" and amounts:
        start, end = texts.date(result.period.start), texts.date(result.period.end)
        period = texts("period", start=start, end=end)
    reasons = [
        {
            "css": _PASSED.get(r.passed, ("open", ""))[0],
            "label": texts(_PASSED.get(r.passed, ("", "passed_none"))[1]),
            "message": r.message,
        }
        for r in result.reasons
    ]
    open_ = [
        {"text": question_for(f, texts.language).text, "unknown": f in state.unknown}
        for f in result.missing_facts
        if f in wizard.answer_paths().values()
    ]
    return {
        "code": result.incentive,
        "name": texts.incentive_name(result.incentive),
        "status": result.status,
        "status_label": texts(f"status_{result.status}"),
        "pillar": texts(f"pillar_{result.pillar}"),
        "amounts": amounts,
        "period": period,
        "reasons": reasons,
        "legal_basis": result.reasons[0].legal_basis if result.reasons else "",
        "open": open_,
        "training": texts.training(result.incentive),
    }


def _result(state: State, evaluation: Evaluation, texts: Texts) -> Response:
    results = [_result_view(r, state, texts) for r in evaluation.results]
    statuses = [r.status for r in evaluation.results]
    counts = {
        "eligible": statuses.count("eligible"),
        "notEligible": statuses.count("notEligible"),
        "open": len(statuses) - statuses.count("eligible") - statuses.count("notEligible"),
    }
    return render(
        "result.html",
        texts,
        languages={code: wizard.in_language(state, code) for code in LANGUAGES},
        as_of=texts.date(state.as_of),
        counts=counts,
        results=results,
        referrals=evaluation.referrals,
        answers=_answers(state, texts),
        back=wizard.back_url(state),
        restart=f"/wegwijzer?lang={state.language}",
    )


@router.get("/wegwijzer")
async def wegwijzer(
    request: Request,
    today: TodayDep,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    language = choose_language(lang, accept_language)
    texts = Texts(language)
    parsed = wizard.read_state(request.query_params.multi_items(), language, today)
    state = parsed.state
    if parsed.submitted and not parsed.errors:
        return RedirectResponse(wizard.url(state), status_code=303)
    # the rules are CPU work: off the event loop, like POST /eligibility
    evaluation = await asyncio.to_thread(wizard.run, state)
    if parsed.errors:
        first = parsed.errors[0]
        return _step(state, question_for(first.fact, language), texts, parsed.errors, None)
    question = wizard.next_question(state, evaluation)
    if question is None:
        return _result(state, evaluation, texts)
    # only a value that answers the question is shown again: the address is anyone's text
    chosen = state.ask == question.fact and wizard.fits(question, state.was, state.as_of)
    prefill = state.was if chosen else None
    return _step(state, question, texts, [], prefill)
