"""The pages' languages: nl (default), fr, en, de chosen by ``?lang=`` or ``Accept-Language``;
their texts (``texts.toml``, checked at start-up like the rules' messages) and the Belgian
formats of dates and amounts (Babel)."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from app.domain.periods import BRUSSELS
from app.domain.quantities import Quantity, Unit
from app.domain.rules import INCENTIVES, pick_language, validated_book
from app.domain.rules.messages import LANGUAGES
from app.domain.sector import SectorIncentive

TEXT_FILE = Path(__file__).parent / "texts.toml"
LOCALES: Mapping[str, str] = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_BE", "de": "de_BE"}
"""The Belgian locale of each language: dates and amounts as people in Belgium write them."""
LANGUAGE_NAMES: Mapping[str, str] = {
    "nl": "Nederlands",
    "fr": "Français",
    "en": "English",
    "de": "Deutsch",
}


@cache
def _catalogue() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    data = tomllib.loads(TEXT_FILE.read_text("utf-8"))
    for section, entries in data.items():
        for key, texts in entries.items():
            if set(texts) != set(LANGUAGES):
                raise ValueError(f"texts.toml: {section}.{key} needs exactly {LANGUAGES}")
    return data


def choose_language(lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a supported language, else the best of ``Accept-Language``."""
    if lang in LANGUAGES:
        return lang
    return pick_language(accept_language)


@dataclass(frozen=True, slots=True)
class Texts:
    """Everything a template says, in one language."""

    language: str
    sector: Mapping[str, SectorIncentive] = field(default_factory=dict)
    """The sector funds' incentives (names declared with their data)."""

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    def __call__(self, key: str, **args: object) -> str:
        template = _catalogue()["texts"][key][self.language]
        return template.format_map(args) if args else template

    def has(self, key: str) -> bool:
        return key in _catalogue()["texts"]

    def training(self, incentive: str) -> str | None:
        entry = _catalogue()["training"].get(incentive)
        return entry[self.language] if entry else None

    def incentive_name(self, code: str) -> str:
        """The rules' own name of the incentive (the parameter files' ``[names]``), or the name a
        sector fund declared with its incentive."""
        if code in self.sector:
            names = self.sector[code].names
            return names.get(self.language) or names.get("nl") or code
        if code not in INCENTIVES:
            return code
        return validated_book()[code].names.get(self.language, code)

    def number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def quantity(self, quantity: Quantity) -> str:
        """``€ 125,00``, ``100 uur``, ``2 cheques`` in the language's Belgian format."""
        if quantity.unit is Unit.EUR:
            return format_currency(quantity.amount, "EUR", locale=self.locale)
        amount = quantity.amount.normalize()
        amount = amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount
        word = f"unit_{quantity.unit.value}" + ("_one" if amount == 1 else "")
        return f"{format_decimal(amount, locale=self.locale)} {self(word)}"

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def instant(self, at: datetime) -> str:
        return format_datetime(at, format="medium", tzinfo=BRUSSELS, locale=self.locale)

    def unit(self, unit: str | None) -> str | None:
        key = f"unit_{unit}"
        return self(key) if unit and self.has(key) else None


_catalogue()  # at import, i.e. at start-up: a text missing in a language stops the service
