"""Property-based fuzzing of every operation in the committed OpenAPI document.

Schemathesis generates requests from `openapi/openapi.json` and sends them to
a live API process over HTTP, as an authenticated user who owns a video. No
answer may be a 5xx, and every answer must match what the document declares
(status code, content type, headers, body schema).
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CheckFunction, negative_data_rejection, positive_data_acceptance

from tests.conftest import PASSWORD
from tests.faults.processes import ApiProcess, multipart_body, start_api, unique_db_name
from tests.media import encode_video
from tests.security.openapi_ops import OPENAPI_PATH

# Per operation; 20 operations. Enough to find the classes of bugs fuzzing finds
# (unhandled input, undeclared codes, schema drift) in well under a minute.
MAX_EXAMPLES = 30

# tus PATCH bodies are raw bytes, which schemathesis generates once told how.
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=4096))
schema = schemathesis.openapi.from_path(OPENAPI_PATH)
cases_sent: Counter[str] = Counter()

# Rules that no JSON Schema can state, so schema-valid input may rightly be
# refused (or schema-invalid input harmlessly tolerated). Only the check that
# cannot hold is off, only for the operation concerned; 5xx and response
# conformance are checked everywhere.
RULES_NO_SCHEMA_STATES: dict[str, list[CheckFunction]] = {
    # The email validator refuses special-use domains such as .test.
    "auth-signup": [positive_data_acceptance],
    # A cursor is an opaque token: any string fits the schema, few decode.
    "videos-list": [positive_data_acceptance],
    # The current password must be the right one, which no fuzzer guesses.
    "users-change-password": [positive_data_acceptance],
    "users-delete": [positive_data_acceptance],
    # The upload must be a video by its bytes, and the streamed form parser
    # ignores fields it does not know (as browsers' forms may add some).
    "videos-upload": [positive_data_acceptance, negative_data_rejection],
    # tus headers are strings whose syntax (an integer, base64 metadata, the
    # version 1.0.0) and meaning (the offset stored, an upload that exists)
    # the schema cannot state: most fuzzed requests are rightly 4xx. And the
    # protocol answers a missing version with 412 before looking further.
    **{
        operation: [positive_data_acceptance, negative_data_rejection]
        for operation in ("uploads-create", "uploads-offset", "uploads-append", "uploads-cancel")
    },
}
statuses_seen: Counter[str] = Counter()


@dataclass
class LiveApi:
    process: ApiProcess
    email: str
    token: str
    video_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def fresh_token(self) -> str:
        response = httpx.post(
            f"{self.process.url}/api/v1/auth/login",
            data={"username": self.email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token


@pytest.fixture(scope="module")
def live_api(mongodb_url: str) -> Iterator[LiveApi]:
    # Logins from the fuzzer fail by design: let them, without locking our user.
    process = start_api(mongodb_url, unique_db_name(), login_max_failures=100_000)
    try:
        yield _prepare(process)
    finally:
        process.stop()
        print(f"\nschemathesis: {sum(cases_sent.values())} cases, by operation: {dict(cases_sent)}")
        print(f"schemathesis: responses by status: {dict(statuses_seen)}")


def _prepare(process: ApiProcess) -> LiveApi:
    email = "fuzz-owner@example.com"
    with httpx.Client(base_url=process.url, timeout=30) as http:
        http.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
        login = http.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
        token = login.json()["access_token"]
        video = http.post(
            "/api/v1/videos",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "multipart/form-data; boundary=fault-test-boundary",
            },
            content=multipart_body(encode_video("mp4", 0.5, size=32)),
        )
        assert video.status_code == 201, video.text
    return LiveApi(process, email, token, video.json()["id"])


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_breaks_its_contract(
    case: schemathesis.Case[Any], live_api: LiveApi
) -> None:
    operation_id = case.operation.definition.raw.get("operationId", case.operation.label)
    headers = dict(live_api.headers)
    if operation_id == "auth-logout":
        # Logout revokes every token of the user: give it one of its own.
        headers = {"Authorization": f"Bearer {live_api.fresh_token()}"}
    if operation_id.startswith("uploads-") and operation_id != "uploads-options":
        # Past the version check, where the rest of the protocol is.
        headers["Tus-Resumable"] = "1.0.0"
    path_parameters = case.path_parameters or {}
    if operation_id == "videos-delete" and path_parameters.get("video_id") == live_api.video_id:
        # Never the fixture's own video, so the other operations keep something to find.
        path_parameters["video_id"] = "0" * 24
    excluded = RULES_NO_SCHEMA_STATES.get(operation_id, [])
    response = case.call_and_validate(
        base_url=live_api.process.url, headers=headers, excluded_checks=excluded
    )
    if operation_id == "auth-logout":
        live_api.token = live_api.fresh_token()  # logout revoked the one we held too
    cases_sent[operation_id] += 1
    statuses_seen[str(response.status_code)] += 1
