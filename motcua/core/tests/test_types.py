"""The typed helpers of core: who the actor is as a stored user, the columns the bulk and
row writers read, and fpdf2's dry-run lines."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from fpdf import FPDF

from motcua.core import bulk, rows
from motcua.core.pdf import wrapped_lines
from motcua.core.types import actor_user
from motcua.org.models import Agency


@pytest.mark.django_db
def test_actor_user_is_a_saved_user_or_none():
    saved = User.objects.create_user(username="actor-1")
    assert actor_user(saved) is saved
    assert actor_user(User(username="unsaved")) is None  # no row to point at
    assert actor_user(AnonymousUser()) is None
    assert actor_user(None) is None


def test_columns_of_concrete_fields_only():
    assert rows._column(Agency._meta.get_field("code")) == "code"
    assert rows._column(Agency._meta.get_field("parent")) == "parent_id"
    assert bulk._column(Agency._meta.get_field("parent")) == "parent_id"
    reverse = Agency._meta.get_field("staff_roles")  # StaffRole.agency's reverse relation
    with pytest.raises(TypeError, match="reverse relation"):
        rows._column(reverse)
    with pytest.raises(ValueError, match="no column"):
        bulk._column(reverse)


def test_wrapped_lines_counts_what_multi_cell_would_draw():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    assert wrapped_lines(pdf, 100, 5, "one line") == ["one line"]
    lines = wrapped_lines(pdf, 30, 5, "a sentence long enough to wrap over several lines")
    assert len(lines) > 1
    assert " ".join(lines) == "a sentence long enough to wrap over several lines"
