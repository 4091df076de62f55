"""The inbox search: the dossier code as typed; the applicant's name and the procedure's
code and name through Dossier.search_key, accents and case ignored."""

import importlib
import unicodedata

import pytest
from django.apps import apps

from motcua.dossiers import selectors
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, search_key_for

from .conftest import T0, advance

pytestmark = pytest.mark.django_db


def found(w, q: str) -> list[int]:
    return list(selectors.inbox(user=w.a.staff["c:counter"], q=q).values_list("pk", flat=True))


def test_search_key_is_folded_name_then_procedure_code_and_name():
    assert search_key_for("Trần Thị Bình", "1.001193", "Đăng ký khai sinh") == (
        "tran thi binh | 1 001193 dang ky khai sinh"
    )


def test_submit_and_intake_write_the_search_key(world):
    online = advance(world, Status.SUBMITTED, applicant={"name": "Đỗ  Thị\tHằng"})
    counter = s.dossier_intake(
        actor=world.a.staff["c:counter"],
        procedure=world.procedure,
        receiving_agency=world.a.center,
        applicant={"name": "Lê Văn Đức", "id_number": "001203000999"},
        received={world.components[0].pk: {"originals": 1}},
        at=T0,
    )
    keys = dict(Dossier.objects.values_list("pk", "search_key"))
    assert keys == {
        online.pk: "do thi hang | 1 001193 dang ky khai sinh",
        counter.pk: "le van duc | 1 001193 dang ky khai sinh",
    }


def test_applicant_name_ignores_accents_case_and_unicode_form(world):
    binh = advance(world, Status.RECEIVED, applicant={"name": "Trần Thị Bình"})
    binh2 = advance(world, Status.RECEIVED, applicant={"name": "Trần Văn Bính"})
    for q in ("Trần Thị Bình", "tran thi binh", "TRAN THI BÌNH", "thị bình", " Thi Binh "):
        assert found(world, q) == [binh.pk], q
    assert found(world, unicodedata.normalize("NFD", "Trần Thị Bình")) == [binh.pk]
    # Accents ignored means a name that differs only by its accents is found too.
    assert found(world, "Bình") == [binh.pk, binh2.pk]
    assert found(world, "Nguyễn Thị Bình") == []


def test_code_whole_or_in_part(world):
    d1 = advance(world, Status.RECEIVED)
    d2 = advance(world, Status.RECEIVED)
    assert d1.code.endswith("-0001") and d2.code.endswith("-0002")
    assert found(world, d1.code) == [d1.pk]
    assert found(world, d2.code.lower()) == [d2.pk]
    assert found(world, "-0002") == [d2.pk]
    # "0001" is both in d1's code and (folded) nowhere else.
    assert found(world, "0001") == [d1.pk]


def test_procedure_code_and_name(world):
    d1 = advance(world, Status.RECEIVED)
    d2 = advance(world, Status.PROCESSING)
    assert found(world, "1.001193") == [d1.pk, d2.pk]
    assert found(world, "khai sinh") == [d1.pk, d2.pk]
    assert found(world, "ĐĂNG KÝ KHAI SINH") == [d1.pk, d2.pk]
    assert found(world, "khai tử") == []


def test_no_match_across_parts_nor_on_personal_numbers(world):
    advance(
        world,
        Status.RECEIVED,
        applicant={"name": "Phạm An", "id_number": "001203000777", "phone": "0988777666"},
    )
    assert found(world, "an 1 001193") == []  # end of the name + the procedure code
    assert found(world, "001203000777") == []
    assert found(world, "0988777666") == []


def test_a_query_of_punctuation_matches_codes_only(world):
    d = advance(world, Status.RECEIVED)
    assert found(world, "--") == []
    assert found(world, "-") == [d.pk]  # every code has dashes
    assert found(world, "   ") == [d.pk]  # blank: no search at all


def test_the_data_migration_writes_what_creation_writes(world):
    d1 = advance(world, Status.RECEIVED, applicant={"name": "Trần Thị Bình"})
    d2 = advance(world, Status.SUBMITTED)
    expected = dict(Dossier.objects.values_list("pk", "search_key"))
    Dossier.objects.update(search_key="")
    migration = importlib.import_module("motcua.dossiers.migrations.0004_fill_dossier_search_key")
    migration.fill(apps, None)
    assert dict(Dossier.objects.values_list("pk", "search_key")) == expected
    assert set(expected) == {d1.pk, d2.pk} and "" not in expected.values()
