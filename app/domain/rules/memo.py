"""Decisions remembered per the facts the rules actually read, not per whole facts.

The rules are pure functions of the facts, the day and the parameters. An evaluation that read
only some facts gives the same answer for any facts that agree on those: they take the same
path through the rule and read the same facts. So each evaluation notes which facts it read
(``_Reading``), and a later citizen whose facts agree with it on those is answered without
evaluating. Sound whatever the rule does: a rule that reads anything but a plain fact makes
the memo compare every fact."""

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from app.domain.rules.facts import Facts, fact_name

T = TypeVar("T")
FIELDS: Mapping[str, str] = {name: fact_name(name) for name in Facts.model_fields}
"""Python name -> wire name of every fact."""
EVERY = tuple(sorted(FIELDS.values()))


class _Reading:
    """Facts as a rule reads them, noting the wire names it read."""

    __slots__ = ("_facts", "read")

    def __init__(self, facts: Facts, read: set[str]) -> None:
        self._facts = facts
        self.read = read

    def __getattr__(self, name: str) -> Any:
        wire = FIELDS.get(name)
        if wire is None:
            self.read.update(EVERY)  # a method or property: it may read anything
        else:
            self.read.add(wire)
        return getattr(self._facts, name)


def _hashable(value: object) -> object:
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


class ReadMemo(Generic[T]):
    """Answers of ``evaluate(facts)`` keyed by the raw values of the facts it read."""

    def __init__(self, evaluate: Callable[[Facts], T]) -> None:
        self._evaluate = evaluate
        self._signatures: list[tuple[str, ...]] = []
        self._answers: dict[tuple[int, tuple[object, ...]], T] = {}
        self.evaluations = 0

    def get(self, raw: Mapping[str, Any]) -> T:
        """The answer for the facts ``raw`` (wire names, as stored), evaluated only when no
        earlier evaluation read facts that ``raw`` agrees with."""
        answers = self._answers
        for i, signature in enumerate(self._signatures):
            values = tuple([raw.get(k) for k in signature])
            try:
                found = answers.get((i, values))
            except TypeError:  # a fact that is an object (timeCredit)
                found = answers.get((i, tuple(_hashable(v) for v in values)))
            if found is not None:
                return found
        read: set[str] = set()
        facts = Facts.model_validate(raw)
        answer = self._evaluate(cast(Facts, _Reading(facts, read)))
        self.evaluations += 1
        signature = tuple(sorted(read))
        try:
            i = self._signatures.index(signature)
        except ValueError:
            i = len(self._signatures)
            self._signatures.append(signature)
        self._answers[(i, tuple(_hashable(raw.get(k)) for k in signature))] = answer
        return answer
