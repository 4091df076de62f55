import pytest

from motcua.catalog.enums import Level
from motcua.catalog.selectors import field_list, procedure_detail, procedure_search
from motcua.core.errors import NotFound

pytestmark = pytest.mark.django_db


def codes(page):
    return [p.code for p in page.items]


@pytest.mark.parametrize(
    "q", ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "  đăng   ký khai  sinh "]
)
def test_search_is_accent_and_case_insensitive(catalog, q):
    page = procedure_search(q=q, limit=50)
    assert page.count == 5
    # the exact name first (shortest of the names starting with the phrase)
    assert codes(page)[0] == "1.001193"
    assert set(codes(page)) == set(codes(procedure_search(q="dang ky khai sinh", limit=50)))


def test_every_word_must_match_in_any_order(catalog):
    assert codes(procedure_search(q="khai sinh", limit=50))[0] == "1.001193"
    assert set(codes(procedure_search(q="sinh khai dang", limit=50))) == set(
        codes(procedure_search(q="dang ky khai sinh", limit=50))
    )
    assert procedure_search(q="khai sinh ho chieu").count == 0


def test_search_by_code_and_field_name(catalog):
    assert codes(procedure_search(q="1.001456")) == ["1.001456"]
    assert procedure_search(q="ho tich", limit=50).count == 15


def test_filters_and_paging(catalog):
    assert procedure_search(level=Level.PROVINCE).count == 20
    assert procedure_search(field="chung-thuc").count == 5
    page = procedure_search(level=Level.COMMUNE, limit=10, offset=30)
    assert page.count == 34 and len(page.items) == 4
    page = procedure_search(level=Level.COMMUNE, limit=10, offset=40)
    assert page.count == 34 and page.items == []
    page = procedure_search(q="ho tich", limit=10)
    assert page.count == 15 and len(page.items) == 10
    assert procedure_search(q="khong co thu tuc nay").count == 0
    assert all(len(p.current_versions) == 1 for p in page.items)


def test_detail_and_not_found(catalog, django_assert_num_queries):
    with django_assert_num_queries(5):
        v = procedure_detail("1.001193")
        assert len(v.components.all()) == 8
        assert len(v.steps.all()) == 4
        assert v.procedure.field.name == "Hộ tịch"
    with pytest.raises(NotFound):
        procedure_detail("0.000000")


def test_field_list_counts(catalog):
    counts = {f.code: f.procedure_count for f in field_list()}
    assert counts["ho-tich"] == 15 and sum(counts.values()) == 55
