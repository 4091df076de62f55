"""Passwords: hashed with Argon2 (older PBKDF2 hashes verify and are upgraded at login), and
held to Django's validators with Vietnamese messages wherever one is set: the portal's
registration, the admin, the demo."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.contrib.auth.models import User
from django.test import Client

import motcua.settings as production
from motcua.core.errors import ValidationFailed
from motcua.demo.generator import demo_password
from motcua.org.models import Applicant
from motcua.org.passwords import password_problems
from motcua.org.services import applicant_register
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

GOOD = "Sông-Hồng-chảy-2026"
SHORT_VI = "Mật khẩu quá ngắn. Nó phải chứa ít nhất 10 ký tự."
COMMON_VI = "Mật khẩu này quá phổ biến."
NUMERIC_VI = "Mật khẩu này hoàn toàn là số."
SIMILAR_VI = "Mật khẩu quá giống với Tên đăng nhập."


@pytest.fixture
def argon2_hashers(settings):
    """The production hashers, instead of the test suite's fast one."""
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def _register(password: str, username: str = "nguyenvanan") -> Applicant:
    return applicant_register(
        username=username,
        password=password,
        kind="person",
        full_name="Nguyễn Văn An",
        personal_id="001203000123",
    )


# --- hashing ------------------------------------------------------------------------------


def test_argon2_is_first_and_pbkdf2_still_verifies():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id(argon2_hashers):
    account = _register(GOOD)
    account.user.refresh_from_db()
    assert account.user.password.startswith("argon2$argon2id$")
    assert account.user.check_password(GOOD)


def _pbkdf2_user(password: str) -> User:
    # A hash as an older installation wrote it (fewer rounds keep the test fast; the
    # upgrade rule is the same).
    encoded = PBKDF2PasswordHasher().encode(password, "oldsalt1234567", iterations=1000)
    return User.objects.create(username="canbo.cu", password=encoded)


def test_a_pbkdf2_hash_logs_in_and_is_upgraded_to_argon2(argon2_hashers):
    user = _pbkdf2_user(GOOD)
    response = Client().post("/dang-nhap/", {"username": "canbo.cu", "password": GOOD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert check_password(GOOD, user.password)


def test_a_pbkdf2_hash_is_upgraded_by_an_api_login_too(argon2_hashers):
    user = _pbkdf2_user(GOOD)
    response = Client().post(
        "/api/auth/token",
        {"username": "canbo.cu", "password": GOOD},
        content_type="application/json",
    )
    assert response.status_code == 201
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_a_wrong_password_leaves_the_pbkdf2_hash_alone(argon2_hashers):
    user = _pbkdf2_user(GOOD)
    before = user.password
    response = Client().post("/dang-nhap/", {"username": "canbo.cu", "password": GOOD + "x"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == before


# --- validators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "vi", "en"),
    [
        (
            "abc12xyz",
            SHORT_VI,
            "This password is too short. It must contain at least 10 characters.",
        ),
        ("iloveyou12", COMMON_VI, "This password is too common."),
        ("8264019375", NUMERIC_VI, "This password is entirely numeric."),
        ("nguyenvanan1", SIMILAR_VI, "The password is too similar to the username."),
    ],
)
def test_registration_refuses_a_weak_password_in_vietnamese(password, vi, en):
    with pytest.raises(ValidationFailed) as caught:
        _register(password)
    assert caught.value.field == "password"
    assert caught.value.message == vi
    assert caught.value.message_en == en
    assert not User.objects.filter(username="nguyenvanan").exists()


def test_a_password_like_the_full_name_is_refused_too():
    with pytest.raises(ValidationFailed) as caught:
        _register("NguyenVanAn", username="congdan01")
    assert caught.value.message == "Mật khẩu quá giống với Tên."


def test_registration_accepts_a_good_password():
    account = _register(GOOD)
    assert account.user.check_password(GOOD)


def test_every_problem_is_given_at_once():
    problem = password_problems("12345")
    assert problem is not None
    assert problem.message == f"{SHORT_VI} {COMMON_VI} {NUMERIC_VI}"


REGISTER_FORM = {
    "kind": "person",
    "full_name": "Nguyễn Văn An",
    "personal_id": "001203000123",
    "username": "nguyenvanan",
}


def test_registration_page_shows_the_vietnamese_message():
    form = {**REGISTER_FORM, "password": "abc12xyz", "password2": "abc12xyz"}
    page = Client().post("/dang-ky/", form)
    assert page.status_code == 400
    assert SHORT_VI in page.content.decode()


def test_registration_page_in_english_shows_the_english_message():
    client = Client()
    client.cookies["django_language"] = "en"
    form = {**REGISTER_FORM, "password": "iloveyou12", "password2": "iloveyou12"}
    page = client.post("/dang-ky/", form)
    assert page.status_code == 400
    assert "This password is too common." in page.content.decode()


def test_registration_page_accepts_a_good_password():
    form = {**REGISTER_FORM, "password": GOOD, "password2": GOOD}
    assert Client().post("/dang-ky/", form).status_code == 302
    assert User.objects.get(username="nguyenvanan").check_password(GOOD)


@pytest.fixture
def admin_client_vi():
    admin = User.objects.create_superuser("quantri", password="x")
    client = Client()
    otp_login(client, admin)
    return client


def test_admin_add_user_refuses_a_weak_password_in_vietnamese(admin_client_vi):
    page = admin_client_vi.post(
        "/admin/auth/user/add/",
        {
            "username": "canbo.moi",
            "password1": "abc12xyz",
            "password2": "abc12xyz",
            "usable_password": "true",
        },
    )
    assert page.status_code == 200
    assert SHORT_VI in page.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_admin_password_change_refuses_a_common_password_in_vietnamese(admin_client_vi):
    officer = User.objects.create_user("canbo.mot", password=GOOD)
    page = admin_client_vi.post(
        f"/admin/auth/user/{officer.pk}/password/",
        {"password1": "iloveyou12", "password2": "iloveyou12"},
    )
    assert page.status_code == 200
    assert COMMON_VI in page.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(GOOD)


def test_demo_password_passes_the_rules_and_a_weak_kept_one_is_replaced(tmp_path):
    path = tmp_path / "demo_password"
    made = demo_password(path)
    assert password_problems(made) is None
    assert demo_password(path) == made  # kept
    path.write_text("12345\n")  # kept from before the rules
    replaced = demo_password(path)
    assert replaced != "12345"
    assert password_problems(replaced) is None


def test_make_password_in_the_test_suite_stays_fast():
    # The suite's own hasher (conftest.py): what every other test pays per user.
    assert make_password("x").startswith("md5$")
