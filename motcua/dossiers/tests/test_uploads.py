"""uploads.component_uploads: the one reading of `component_<id>` file fields."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from motcua.core.errors import ValidationFailed
from motcua.dossiers.uploads import component_id, component_uploads


def f(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 x")


def files(**fields: list[SimpleUploadedFile]) -> MultiValueDict:
    return MultiValueDict(fields)


def test_files_are_grouped_by_component_several_per_component_in_order():
    a, b, c = f("a.pdf"), f("b.pdf"), f("c.pdf")
    got = component_uploads(files(component_7=[a, b], component_12=[c]))
    assert got == {7: [a, b], 12: [c]}
    assert list(got) == [7, 12]


def test_no_files_is_no_components():
    assert component_uploads(files()) == {}


def test_fields_the_caller_reads_itself_are_left_to_it():
    a, auth = f(), f("uq.pdf")
    assert component_uploads(
        files(component_3=[a], authorization=[auth]), others=("authorization",)
    ) == {3: [a]}


@pytest.mark.parametrize(
    "field",
    [
        "component_x",
        "component_",
        "component_-1",
        "component_1.5",
        "component_ 1",
        "component_²",  # a digit to str.isdigit, not to int()
        "component_٣",  # an Arabic-Indic three: not an id either
        "component_" + "9" * 19,  # past any bigint
        "Component_1",
        "file",
        "authorization",  # only when the caller says it reads it
    ],
)
def test_a_malformed_field_is_refused_naming_it(field):
    with pytest.raises(ValidationFailed) as caught:
        component_uploads(files(component_1=[f()], **{field: [f()]}))
    e = caught.value
    assert (e.code, e.field, e.status) == ("invalid_file_field", field, 422)
    assert e.message == f"Tên trường tệp '{field}' không hợp lệ: dùng component_<mã thành phần>."
    assert e.message_en == f"File field '{field}' is invalid: use component_<component id>."


def test_with_the_components_known_another_id_is_refused_as_the_service_names_it():
    with pytest.raises(ValidationFailed) as caught:
        component_uploads(files(component_1=[f()], component_99=[f()]), components={1, 2})
    e = caught.value
    assert (e.code, e.field) == ("unknown_component", "files.99")
    assert e.message == "Thành phần hồ sơ 99 không thuộc thủ tục này."
    assert e.message_en == "Component 99 does not belong to this procedure."
    assert component_uploads(files(component_2=[a := f()]), components={1, 2}) == {2: [a]}


@pytest.mark.parametrize(
    "field, expected",
    [
        ("component_1", 1),
        ("component_007", 7),
        ("component_" + "9" * 18, 10**18 - 1),
        ("component_x", None),
        ("components_1", None),
        ("1", None),
    ],
)
def test_component_id(field, expected):
    assert component_id(field) == expected
