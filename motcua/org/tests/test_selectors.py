import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from motcua.org.enums import Role
from motcua.org.selectors import roles_cache_clear, staff_role_map
from motcua.org.services import staff_assign_role, staff_revoke_role

from .factories import AgencyFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = UserFactory()
    so_tu_phap = AgencyFactory(name="Sở Tư pháp")
    trung_tam = AgencyFactory(name="Trung tâm Phục vụ hành chính công", kind="provincial_center")
    closed = AgencyFactory(
        name="Ban cũ", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 6, 30)
    )
    StaffRoleFactory(user=user, agency=so_tu_phap, role=Role.SPECIALIST)
    StaffRoleFactory(user=user, agency=so_tu_phap, role=Role.LEADER)
    StaffRoleFactory(user=user, agency=trung_tam, role=Role.COUNTER)
    StaffRoleFactory(user=user, agency=trung_tam, role=Role.MONITOR, active=False)
    StaffRoleFactory(user=user, agency=closed, role=Role.AGENCY_ADMIN)
    StaffRoleFactory(agency=so_tu_phap, role=Role.AGENCY_ADMIN)  # someone else
    return user, so_tu_phap, trung_tam


def test_role_map_of_user(officer, django_assert_num_queries):
    """Active roles in agencies in force, one query, then memoized on the user."""
    user, so_tu_phap, trung_tam = officer
    with django_assert_num_queries(1):
        assert staff_role_map(user) == {
            so_tu_phap.pk: {"specialist", "leader"},
            trung_tam.pk: {"counter"},
        }
        assert staff_role_map(user) == {
            so_tu_phap.pk: {"specialist", "leader"},
            trung_tam.pk: {"counter"},
        }


def test_memo_cleared_by_services(officer, django_assert_num_queries):
    user, so_tu_phap, trung_tam = officer
    assert staff_role_map(user)[trung_tam.pk] == {"counter"}
    staff_assign_role(user=user, agency=trung_tam, role="monitor")
    assert staff_role_map(user)[trung_tam.pk] == {"counter", "monitor"}
    staff_revoke_role(user=user, agency=trung_tam, role="counter")
    staff_revoke_role(user=user, agency=trung_tam, role="monitor")
    assert staff_role_map(user) == {so_tu_phap.pk: {"specialist", "leader"}}

    roles_cache_clear(user)
    with django_assert_num_queries(1):
        staff_role_map(user)


def test_no_roles_and_anonymous(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert staff_role_map(AnonymousUser()) == {}
        assert staff_role_map(None) == {}
    user = UserFactory()
    with django_assert_num_queries(1):
        assert staff_role_map(user) == {}
        assert staff_role_map(user) == {}


def test_command_list_agencies(officer, capsys):
    call_command("org", "list-agencies")
    out = capsys.readouterr().out
    assert "Sở Tư pháp" in out
    assert "hết hiệu lực 30/06/2025" in out
    assert out.rstrip().endswith("3 cơ quan.")
