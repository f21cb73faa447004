"""Fuzzing the REST API from its own OpenAPI document (schemathesis, hypothesis underneath).

Every operation gets ``EXAMPLES`` generated requests — valid ones and ones that break the schema
— with a viewer's token. An answer passes when it is no server error (no 500, no reset
connection), its status is one the OpenAPI document lists for the operation, and its body and
content type match what the document declares for that status. The probe that found 125
answers of 500 (ids beyond 2^63, nulls, empty uploads, infinities) now runs in every build.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app
from levelscope.web.snapshot import ServedCopy

EXAMPLES = 20
CHECKS = (
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
)


@pytest.fixture(scope="module")
def fuzzed(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'records.sqlite'}"
    with transaction(connect(url), "setup") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        editor = accounts.create_user(session, council, "editor@example.org", "editor")
        _, token = accounts.issue_token(session, editor)
    app = create_app(demo_workspace_path, records_url=url, warm=False, reload_interval=None)
    app.state.served = ServedCopy(demo_workspace_path, warm=False)  # what the lifespan would do
    return app, token


def test_no_operation_answers_500_or_breaks_its_schema(fuzzed: tuple[Any, str]) -> None:
    app, token = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: dict[str, str] = {}
    requests: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                              operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
        def fuzz(case: Any) -> None:
            requests.append(case.operation.label)
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.perf_counter()
        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # report every operation's failures
            failures[operation.label] = str(failure)[:2000]
        print(f"{time.perf_counter() - started:6.2f} s  {operation.label}")
    print(f"{len(requests)} requests over {operations} operations")
    assert operations > 40
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
