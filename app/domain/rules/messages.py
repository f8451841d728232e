"""Localised messages of reasons and referrals (``messages.toml``): nl by default, fr, en, de."""

import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

MESSAGE_FILE = Path(__file__).parent / "messages.toml"
LANGUAGES = ("nl", "fr", "en", "de")
TEXT_LANGUAGES = ("nl", "fr", "en", "de")
"""The languages messages.toml has texts in; the others fall back."""
DEFAULT_LANGUAGE = "nl"
_FALLBACK = {"nl": ("nl",), "fr": ("fr", "nl"), "en": ("en", "nl"), "de": ("de", "en", "nl")}


@cache
def catalogue() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    data = tomllib.loads(MESSAGE_FILE.read_text("utf-8"))
    for section in ("reasons", "referrals"):
        for code, texts in data[section].items():
            if not set(TEXT_LANGUAGES) <= set(texts):
                raise ValueError(f"messages.toml: {section}.{code} needs nl, fr, en and de")
    return data


def pick_language(accept_language: str | None) -> str:
    """The first supported language of an ``Accept-Language`` header, by q-value."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def effective_language(language: str) -> str:
    """The language the messages are really in (every supported one has its texts)."""
    return next(lang for lang in _FALLBACK.get(language, ("nl",)) if lang in TEXT_LANGUAGES)


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def message(section: str, code: str, language: str, args: Mapping[str, object]) -> str:
    return _render(section, code, language, tuple((k, _show(v)) for k, v in args.items()))


@lru_cache(maxsize=65536)
def _render(section: str, code: str, language: str, shown: tuple[tuple[str, str], ...]) -> str:
    # Many answers repeat the same sentences with the same values: rendered once each.
    texts = catalogue()[section][code]
    template = next(texts[lang] for lang in _FALLBACK.get(language, ("nl",)) if lang in texts)
    return template.format_map(dict(shown))


def referral_url(code: str) -> str:
    return catalogue()["referrals"][code]["url"]
