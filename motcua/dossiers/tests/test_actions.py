"""dossiers.actions: the one table of which service runs an action, and with what; the
API's endpoints are checked against it (the back office's and the portal's tables in their
own tests)."""

import inspect

import pytest

from motcua.dossiers import actions
from motcua.dossiers.api import ENDPOINTS
from motcua.dossiers.enums import TRANSITIONS as STATES
from motcua.dossiers.enums import Action

COMMON = {"dossier_id", "actor", "expected_version", "at"}


def test_every_action_on_an_existing_dossier_is_in_the_table():
    assert set(actions.CALLS) == set(STATES) - {Action.SUBMIT, Action.INTAKE}


@pytest.mark.parametrize("action", list(actions.CALLS))
def test_the_inputs_are_the_services_own_keywords(action):
    t = actions.CALLS[action]
    params = inspect.signature(t.service).parameters
    assert set(params) - COMMON == set(t.inputs) | set(t.from_store)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


@pytest.mark.parametrize("action", list(ENDPOINTS))
def test_each_api_endpoint_gives_exactly_the_inputs(action):
    endpoint = ENDPOINTS[action]
    fields = set(endpoint.schema.model_fields) - {"expected_version"}
    from_files = {"files"} if action == Action.SUPPLEMENT else set()
    from_files |= {"file"} if action == Action.ATTACH_RESULT else set()
    assert (endpoint.files is not None) == bool(from_files)
    assert fields | from_files == set(actions.CALLS[action].inputs)


def test_the_api_takes_every_transition():
    assert set(ENDPOINTS) == set(actions.CALLS)


def test_an_input_the_action_does_not_take_is_a_programming_error():
    with pytest.raises(TypeError, match=r"receive takes no input \['reason'\]"):
        actions.run(
            Action.RECEIVE, dossier_id=1, actor=None, expected_version=None, inputs={"reason": ""}
        )
