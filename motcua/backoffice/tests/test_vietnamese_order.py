"""The back office lists agencies in Vietnamese order (core.text.collation_key)."""

import re

from django.contrib.auth import get_user_model

from motcua.org.enums import AgencyKind, Role
from motcua.org.services import agency_create, staff_assign_role
from motcua.org.tests.otp import otp_login

NAMES = ["Việc làm xã A", "Đội thuế xã A", "Dịch vụ xã A", "Vật liệu xã A", "Ấp B"]


def test_the_inbox_agency_filter_is_in_vietnamese_order(client, world):
    user = get_user_model().objects.create_user("nhieu.coquan", password="x")
    for i, name in enumerate(NAMES):
        agency = agency_create(
            code=f"000.00.{60 + i}.H99",
            name=name,
            kind=AgencyKind.COMMUNE_COMMITTEE,
            unit=world.a.center.unit,
        )
        staff_assign_role(user=user, agency=agency, role=Role.SPECIALIST)
    otp_login(client, user)
    html = client.get("/can-bo/").content.decode()
    select = html[html.index('name="agency"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert options == [
        "Ấp B",
        "Dịch vụ xã A",
        "Đội thuế xã A",
        "Vật liệu xã A",
        "Việc làm xã A",
    ]
