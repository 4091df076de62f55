"""The typo-forgiving layer over catalog.selectors.procedure_search."""

import datetime as dt

import pytest

from motcua.catalog.enums import Level
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.portal import search

pytestmark = pytest.mark.django_db


def test_exact_search_is_the_selector_unchanged(world):
    result = search.search(q="khai sinh")
    assert [p.code for p in result.page.items] == ["1.001193"]
    assert (result.corrected, result.fuzzy) == (None, False)


def test_the_vocabulary_follows_new_procedures(world):
    assert search.search(q="giam hoo").page.count == 0
    p = Procedure.objects.create(
        code="1.000893", name="Đăng ký giám hộ", field=world.procedure.field, level=Level.COMMUNE
    )
    ProcedureVersion.objects.create(
        procedure=p, number=1, effective_from=dt.date(2020, 1, 1), name=p.name, channels=[1]
    )
    result = search.search(q="giam hoo")
    assert [x.code for x in result.page.items] == ["1.000893"]
    assert result.corrected == "giam ho"


def test_inactive_procedures_are_not_offered(world):
    Procedure.objects.filter(code="1.000656").update(active=False)
    search.vocabulary_clear()
    assert search.search(q="ket honn").page.count == 0


def test_similar_words_are_memoized_per_vocabulary(world):
    vocab = search.vocabulary()
    first = search.similar("sinhh", vocab)
    assert first[0][1] == "sinh"
    assert vocab.similar_memo["sinhh"] is first
    assert search.vocabulary() is vocab  # nothing changed: same cached vocabulary


def test_filters_apply_to_fuzzy_results(world):
    result = search.search(q="ket honn khaii", field="kinh-doanh")
    assert result.page.count == 0
    result = search.search(q="ket honn khaii", field="ho-tich")
    assert result.fuzzy is True and result.page.items[0].code == "1.000656"
