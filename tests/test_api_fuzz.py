"""Schemathesis fuzzes every operation from the app's own OpenAPI schema: no 500s, and every
response matches the schema (status code, content type, body) on a DummyLM-backed service."""

import dspy
import pytest
import schemathesis
from dspy.utils import DummyLM
from hypothesis import HealthCheck, settings

from promptimp.api import create_app
from promptimp.service import ImproveService
from promptimp.settings import Settings
from tests.support import ANSWER

# The service, not the schema, owns the idea's length rule (400 with a message, not 422), so
# a schema-valid body such as {"idea": ""} may be refused with 400; any other refusal fails.
CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-path": "/api/v1/improve-prompt",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}},
            },
            {  # the crafting loop's rules (feedback, tags, repeats) and run ids are its too
                "include-tag-regex": "^(crafting|trainset)$",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]}
                },
            },
        ]
    }
)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    """The schema of an app over a fresh database with one stored run to find."""
    db_path = tmp_path_factory.mktemp("fuzz") / "history.db"
    service = ImproveService(
        Settings(
            LLM_PROVIDER="openai",
            LLM_MODEL="fuzz",
            SQLITE_DB_PATH=str(db_path),
            DSPY_FEWSHOT_USER_TRAINSET_PATH=str(db_path.parent / "user_trainset.jsonl"),
        ),
        lm=DummyLM([ANSWER] * 10_000),
        adapter=dspy.ChatAdapter(),
    )
    service.improve("Design a REST API for user management")
    app = create_app(service, allowed_hosts=["testserver"])  # the name schemathesis sends
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate()
