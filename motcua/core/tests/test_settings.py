"""Every setting that docs/rules.md calls configurable is listed in .env.example and read
from the environment; DEBUG is off unless turned on."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NAME = re.compile(r"\bMOTCUA_[A-Z0-9_]+\b")

# The value each setting is given in the environment, and what the settings make of it.
# A setting named in docs/rules.md but missing here gets "7" and must read as 7.
GIVEN = {
    "MOTCUA_TAX_CODE_MOD11_ZERO": ("zero", "zero"),
    "MOTCUA_CLIENT_IP_HEADER": ("HTTP_X_REAL_IP", "HTTP_X_REAL_IP"),
    "MOTCUA_CACHE_URL": ("redis://127.0.0.1:6379/7", "redis://127.0.0.1:6379/7"),
    "MOTCUA_PG_PREPARE": ("0", False),
    "MOTCUA_AUTH_CACHE_SECONDS": ("7", 7.0),
    "MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018": ("2", "2"),
    "MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025": ("0.5", "0.5"),
    "MOTCUA_PAYMENT_PAUSES_CLOCK": ("all", "all"),
    "MOTCUA_SAME_DAY_CUTOFF": ("14:30", "14:30"),
    "MOTCUA_REAPPOINTMENT_JUDGED_AGAINST": ("new", "new"),
    "MOTCUA_PUBLIC_URL": ("https://dichvucong.bacninh.gov.vn", "https://dichvucong.bacninh.gov.vn"),
}


def rules_settings() -> list[str]:
    return sorted(set(NAME.findall((ROOT / "docs" / "rules.md").read_text())))


def settings_in(env: dict[str, str], names: list[str]) -> dict:
    """The named settings of a fresh process started with `env`."""
    code = (
        "import json, sys, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n, '<missing>') for n in sys.argv[1:]}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="motcua.settings", MOTCUA_SECRET_KEY="x" * 50, PYTHONPATH=str(ROOT)
    )
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    out = subprocess.run(
        [sys.executable, "-c", code, *names],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_rules_name_the_settings_we_expect():
    # The table of docs/rules.md is what the two tests below walk through.
    assert {
        "MOTCUA_MAX_SUPPLEMENT_REQUESTS",
        "MOTCUA_MAX_APOLOGIES",
        "MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018",
        "MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025",
        "MOTCUA_PAYMENT_PAUSES_CLOCK",
        "MOTCUA_REAPPOINTMENT_JUDGED_AGAINST",
        "MOTCUA_TAX_CODE_MOD11_ZERO",
    } <= set(rules_settings())


def test_every_rule_setting_is_listed_in_env_example():
    listed = set(NAME.findall((ROOT / ".env.example").read_text()))
    assert [n for n in rules_settings() if n not in listed] == []


def test_every_rule_setting_is_read_from_the_environment(tmp_path):
    names = rules_settings()
    env = {n: GIVEN.get(n, ("7", 7))[0] for n in names}
    got = settings_in({**env, "MOTCUA_VAR_DIR": str(tmp_path)}, names)
    assert got == {n: GIVEN.get(n, ("7", 7))[1] for n in names}
    # And without the variables, each still has a value (its safe default).
    defaults = settings_in({"MOTCUA_VAR_DIR": str(tmp_path)}, names)
    assert [n for n, v in defaults.items() if v == "<missing>"] == []
    assert [n for n in names if defaults[n] == got[n]] == []


def test_debug_is_off_unless_turned_on(tmp_path):
    var = {"MOTCUA_VAR_DIR": str(tmp_path)}
    assert settings_in(var, ["DEBUG"]) == {"DEBUG": False}
    assert settings_in({**var, "MOTCUA_DEBUG": "1"}, ["DEBUG"]) == {"DEBUG": True}


def test_make_demo_turns_debug_on():
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "MOTCUA_DEBUG=$${MOTCUA_DEBUG:-1} $(BIN)/motcua demo --serve" in demo


def test_every_variable_the_settings_read_is_listed_in_env_example():
    source = (ROOT / "motcua" / "settings.py").read_text()
    read = set(re.findall(r"""environ(?:\.get)?[(\[]["']([A-Z0-9_]+)["']""", source))
    listed = set(re.findall(r"\b([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text()))
    assert "MOTCUA_MAX_SUPPLEMENT_REQUESTS" in read
    assert sorted(read - listed) == []


def test_make_demo_uses_the_shared_cache_when_redis_answers():
    # docs/deploy.md: the demo sets MOTCUA_CACHE_URL when Redis answers and the developer
    # has not set it; otherwise it says so and counts per process.
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert 'if [ -z "$${MOTCUA_CACHE_URL+set}" ]' in demo
    assert "if $(REDIS_ANSWERS); then export MOTCUA_CACHE_URL=$(DEMO_CACHE_URL);" in demo
    assert "DEMO_CACHE_URL ?= redis://127.0.0.1:6379/1" in makefile
