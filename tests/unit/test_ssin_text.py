"""Issue 10, finding 2: the one SSIN detector finds an SSIN however it is spelled (separators,
Unicode digits, invisible characters, a leading zero, a longer number around it), and masking
leaves none behind. Free-text validation, log masking and problem echoes all use it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.access.privacy import refuse_ssins
from app.domain.errors import InvalidInput
from app.domain.ssin_text import check_digits_hold, find_ssins, holds_ssin, mask_ssins

ZEROS = ["0", "\uff10", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\U0001d7ce"]
"""The digit zero of ASCII, full width, Arabic-Indic, Persian, Devanagari, Bengali, Thai and
mathematical bold: each script's digits follow its zero."""
SEPARATORS = [".", "-", "/", " ", "\u00a0", "_", ",", ":", "\t"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e"]


@st.composite
def ssins(draw: st.DrawFn) -> str:
    """Valid SSINs: a birth date (or a BIS number's shifted month), a serial, the check."""
    year, day = draw(st.integers(0, 99)), draw(st.integers(1, 28))
    month = draw(st.integers(1, 12)) + draw(st.sampled_from([0, 20, 40]))
    base = year * 10_000_000 + month * 100_000 + day * 1000 + draw(st.integers(1, 997))
    born_after_2000 = year < 26 and draw(st.booleans())
    check = 97 - ((2_000_000_000 if born_after_2000 else 0) + base) % 97
    return f"{base:09d}{check:02d}"


@st.composite
def spellings(draw: st.DrawFn, ssin: str) -> str:
    out = []
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["0", "00", "ref ", "nr. ", "(", "INSZ: "])))
    for index, digit in enumerate(ssin):
        zero = draw(st.sampled_from(ZEROS))
        out.append(chr(ord(zero) + int(digit)))
        if index < 10:
            gap = draw(st.lists(st.sampled_from(SEPARATORS), max_size=3))
            hidden = draw(st.lists(st.sampled_from(INVISIBLE), max_size=2))
            out.append("".join(gap + hidden))
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["", " ok", "7", ").", " - 12"])))
    return "".join(out)


@given(st.data())
def test_every_spelling_is_found_masked_and_refused(data: st.DataObject) -> None:
    ssin = data.draw(ssins())
    text = data.draw(spellings(ssin))
    assert ssin in [f.digits for f in find_ssins(text)], text
    masked = mask_ssins(text)
    assert ssin not in [f.digits for f in find_ssins(masked)], masked
    with pytest.raises(InvalidInput):
        refuse_ssins({"reference": text})


@pytest.mark.parametrize(
    "text",
    [
        "85.07.30 - 033.28",
        "8.5.0.7.3.0.0.3.3.2.8",
        "85..07..30..033..28",
        "85.07.30-033.2\u200b8",
        "085073003328",
        "\uff18\uff15\uff10\uff17\uff13\uff10\uff10\uff13\uff13\uff12\uff18",
        "INSZ 850730033281234",
    ],
)
def test_the_spellings_of_the_finding(text: str) -> None:
    assert holds_ssin(text)
    assert "85073003328" not in "".join(c for c in mask_ssins(text) if c.isdigit())


def test_a_uuid_is_a_token_not_digits() -> None:
    # its last group holds eleven digits that are a valid SSIN
    assert not holds_ssin("crash-94a0609d-4d10-4dbc-a8f8-e85073003328")
    assert holds_ssin("crash-94a0609d-4d10-4dbc-a8f8-e 85073003328")


@pytest.mark.parametrize(
    "text", ["order 12345678901", "2026-11-23T10:00:00", "booking-42", "[200, 404, 500, 201]"]
)
def test_text_without_an_ssin_passes(text: str) -> None:
    assert not holds_ssin(text)
    refuse_ssins({"reference": text})


def test_check_digits_of_both_centuries() -> None:
    assert check_digits_hold("85073003328")
    assert check_digits_hold("00010100105")  # born 2000-01-01: the check counts a leading 2
    assert not check_digits_hold("85073003329")
    assert not check_digits_hold("15364597121")  # the check holds, no such birth date
