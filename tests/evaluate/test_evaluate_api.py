"""REST endpoints of /api/evaluate: the same numbers as the Python API, clear 404 and 422."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from levelscope.data import Workspace
from levelscope.evaluate import callaway_santanna, synthetic_control, twfe
from levelscope.monitor.programmes import create_programme
from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.web.app import create_app


@pytest.fixture(scope="module")
def records_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('records') / 'r.sqlite'}"


@pytest.fixture(scope="module")
def client(demo_workspace_path: Path, records_url: str) -> Iterator[TestClient]:
    app = create_app(demo_workspace_path, records_url=records_url, warm=False)
    with TestClient(app) as test_client:
        yield test_client


def _toy_rows() -> list[dict[str, Any]]:
    """Unit 0 equals 0.4 * unit 1 + 0.6 * unit 3 before time 6 and gains 2 from time 6 on."""
    rng = np.random.default_rng(3)
    paths = {u: rng.normal(size=10).cumsum() + u for u in range(1, 6)}
    paths[0] = 0.4 * paths[1] + 0.6 * paths[3] + np.where(np.arange(10) >= 6, 2.0, 0.0)
    return [{"unit": u, "time": t, "outcome": float(y[t])} for u, y in paths.items() for t in range(10)]


def test_panel_synth_with_placebos(client: TestClient) -> None:
    rows = _toy_rows()
    answer = client.post("/api/evaluate/panel",
                         json={"data": rows, "treated": ["0"], "start": 6, "placebos": True})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    direct = synthetic_control(pd.DataFrame(rows).astype({"unit": str}), treated="0", start=6)
    assert body["effect"] == pytest.approx(direct.effect, abs=1e-9)
    assert body["effect"] == pytest.approx(2.0, abs=1e-6)
    assert body["weights"]["1"] == pytest.approx(0.4, abs=1e-6)
    assert body["weights"]["3"] == pytest.approx(0.6, abs=1e-6)
    assert body["pre_rmspe"] == pytest.approx(0.0, abs=1e-6)
    assert body["placebos"]["units"] == 6
    # A perfect pre-period fit makes the treated ratio infinite: ranked first, p = 1/6.
    assert body["placebos"]["p_value"] == pytest.approx(1 / 6)
    assert body["placebos"]["table"][0]["unit"] == "0"
    assert "synthetic control" in body["verdict"]
    assert len(body["table"]) == 10


def test_panel_did_equals_python_api(client: TestClient) -> None:
    rows = _toy_rows()
    answer = client.post("/api/evaluate/panel",
                         json={"data": rows, "method": "did", "treated": ["0"], "start": 6})
    assert answer.status_code == 200, answer.text
    frame = pd.DataFrame(rows).astype({"unit": str})
    frame["d"] = ((frame["unit"] == "0") & (frame["time"] >= 6)).astype(float)
    direct = twfe(frame, unit="unit", time="time", outcome="outcome", treatment="d")
    assert answer.json()["effect"] == pytest.approx(direct.effect, abs=1e-12)
    assert answer.json()["clusters"] == 6


def test_panel_cs_draws_are_n_resamples_and_bootstrap_still_works(client: TestClient) -> None:
    rng = np.random.default_rng(2)
    cohorts = {u: c for u, c in enumerate([4.0, 4.0, 6.0, 6.0, None, None, None, None])}
    rows = [{"unit": u, "time": t, "cohort": c,
             "outcome": float(rng.normal() + 0.3 * t + (1.5 if c is not None and t >= c else 0.0))}
            for u, c in cohorts.items() for t in range(8)]
    design = {"data": rows, "method": "cs", "cohort": "cohort", "seed": 1}
    new = client.post("/api/evaluate/panel", json=design | {"n_resamples": 99})
    assert new.status_code == 200, new.text
    old = client.post("/api/evaluate/panel", json=design | {"bootstrap": 99})
    assert old.json() == new.json()
    frame = pd.DataFrame(rows).astype({"unit": str})
    direct = callaway_santanna(frame, unit="unit", time="time", outcome="outcome", cohort="cohort")
    dynamic = direct.aggregate("dynamic", n_resamples=99, seed=1)
    body = new.json()["dynamic"]
    assert body["n_resamples"] == body["bootstrap"] == 99
    assert body["critical_value"] == pytest.approx(dynamic.critical_value, rel=1e-12)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"start": 0}, "no pre-period"),
        ({"donors": ["0", "1", "2"]}, "among the donors"),
        ({"donors": ["1"]}, "too few donors"),
        ({"outcome": "missing"}, "missing"),
        ({"treated": ["0", "1"]}, "one treated unit"),
        ({"method": "cs"}, "cohort"),
    ],
)
def test_panel_bad_designs_are_422(client: TestClient, change: dict[str, Any], reason: str) -> None:
    design = {"data": _toy_rows(), "treated": ["0"], "start": 6, **change}
    answer = client.post("/api/evaluate/panel", json=design)
    assert answer.status_code == 422
    assert reason in answer.text


def test_panel_malformed_body_is_422(client: TestClient) -> None:
    assert client.post("/api/evaluate/panel", json={"data": []}).status_code == 422
    answer = client.post("/api/evaluate/panel", json={"data": _toy_rows(), "bootstrap": -1})
    assert answer.status_code == 422
    answer = client.post("/api/evaluate/panel", json={"data": _toy_rows(), "colour": "red"})
    assert answer.status_code == 422


def test_area_endpoint(client: TestClient) -> None:
    answer = client.get("/api/evaluate/area", params={
        "indicator": "gva_per_hour_worked", "treated": ["TLC11", "TLC12"], "start": "2015",
        "method": "did", "exclude": ["TLC13"],
    })
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["level"] == "itl3" and body["start"] == 2015
    assert body["excluded"] == {"TLC13": "asked"}
    assert body["comparisons"] == 179 - 3
    assert body["lower"] < body["effect"] < body["upper"]
    assert body["sources"]


def test_area_endpoint_errors(client: TestClient) -> None:
    base = {"indicator": "gva_per_hour_worked", "treated": ["TLC11"], "start": "2015"}
    unknown_area = client.get("/api/evaluate/area", params={**base, "treated": ["XX999"]})
    assert unknown_area.status_code == 404
    unknown_indicator = client.get("/api/evaluate/area", params={**base, "indicator": "nope"})
    assert unknown_indicator.status_code == 404
    too_early = client.get("/api/evaluate/area", params={**base, "start": "1990"})
    assert too_early.status_code == 422
    assert "pre-period" in too_early.text
    bad_method = client.get("/api/evaluate/area", params={**base, "method": "magic"})
    assert bad_method.status_code == 422
    missing = client.get("/api/evaluate/area", params={"indicator": "gva_per_hour_worked"})
    assert missing.status_code == 422


# -- a registered programme, behind the programmes API's authentication ---------------------------
class People:
    """API tokens of users in two organisations, and their programmes' ids."""

    def __init__(self, tokens: dict[str, str], programmes: dict[str, int]) -> None:
        self.tokens = tokens
        self.programmes = programmes

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module")
def people(records_url: str) -> People:
    """Tees Valley runs a productivity fund in TLC11 and TLC12 from April 2015 and a published
    fund in TLD11 and TLC12; Bristol has a user and nothing else."""
    factory = connect(records_url)
    tokens, programmes = {}, {}
    with transaction(factory, "setup") as session:
        tees = accounts.create_organisation(session, "Tees Valley Combined Authority")
        bristol = accounts.create_organisation(session, "Bristol City Council")
        for name, organisation, role in [("tees_viewer", tees, "viewer"),
                                         ("bristol_editor", bristol, "editor")]:
            user = accounts.create_user(session, organisation, f"{name}@example.org", role,
                                        password="a long password")
            tokens[name] = accounts.issue_token(session, user)[1]
        fund = create_programme(session, tees.id, "Tees productivity fund",
                                start_date=dt.date(2015, 4, 1), end_date=dt.date(2020, 3, 31),
                                places=["TLC11", "TLC12"])
        other = create_programme(session, tees.id, "Another fund", start_date=dt.date(2012, 1, 1),
                                 end_date=dt.date(2016, 1, 1), places=["TLD11", "TLC12"],
                                 published=True)
        programmes = {"fund": fund.id, "other": other.id}
    factory.kw["bind"].dispose()
    return People(tokens, programmes)


@pytest.mark.slow
def test_programme_evaluation_equals_ols_with_unit_and_year_effects(
    client: TestClient, people: People, demo_workspace_path: Path
) -> None:
    import statsmodels.formula.api as smf

    pid = people.programmes["fund"]
    answer = client.get(f"/api/evaluate/programme/{pid}", headers=people.headers("tees_viewer"),
                        params={"indicator": "gva_per_hour_worked", "method": "did"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["programme_id"] == pid and body["treated"] == ["TLC11", "TLC12"]
    # Started 1 April 2015: 2015 is the first year treated. The other programme's place TLD11 is
    # kept out of the comparison group, as treated too.
    assert body["start"] == 2015 and body["excluded"] == {"TLD11": "other programme"}
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        panel = ws.observations("gva_per_hour_worked", "itl3")
    panel = panel[panel["geography_code"] != "TLD11"].assign(year=lambda f: f["year"].astype(int))
    panel["treated"] = (panel["geography_code"].isin(["TLC11", "TLC12"])
                        & (panel["year"] >= 2015)).astype(float)
    fit = smf.ols("value ~ treated + C(geography_code) + C(year)", data=panel).fit()
    assert body["effect"] == pytest.approx(fit.params["treated"], abs=1e-9)
    assert body["comparisons"] == panel["geography_code"].nunique() - 2
    assert body["observations"] == len(panel)
    assert body["lower"] < body["effect"] < body["upper"]


def test_programme_evaluation_needs_the_programmes_api_access(client: TestClient, people: People) -> None:
    params = {"indicator": "gva_per_hour_worked", "method": "did"}
    fund, other = people.programmes["fund"], people.programmes["other"]
    anonymous = client.get(f"/api/evaluate/programme/{fund}", params=params)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    wrong = client.get(f"/api/evaluate/programme/{fund}", params=params,
                       headers={"Authorization": "Bearer lsk_not-a-token"})
    assert wrong.status_code == 401
    # Another organisation's unpublished programme: 403 here as from /api/programmes/{id}.
    stranger = people.headers("bristol_editor")
    refused = client.get(f"/api/evaluate/programme/{fund}", params=params, headers=stranger)
    assert refused.status_code == 403
    assert refused.json()["detail"] == f"programme {fund} belongs to another organisation"
    assert client.get(f"/api/programmes/{fund}", headers=stranger).status_code == 403
    # A published one is open to every signed-in user, as in the programmes API.
    published = client.get(f"/api/evaluate/programme/{other}", params=params, headers=stranger)
    assert published.status_code == 200, published.text
    assert published.json()["treated"] == ["TLC12", "TLD11"]
    missing = client.get("/api/evaluate/programme/999", params=params, headers=stranger)
    assert missing.status_code == 404 and missing.json()["detail"] == "no programme with id 999"


def test_programme_evaluation_errors(client: TestClient, people: People) -> None:
    path = f"/api/evaluate/programme/{people.programmes['fund']}"
    headers = people.headers("tees_viewer")
    unknown = client.get(path, params={"indicator": "gva_per_hour_workd"}, headers=headers)
    assert unknown.status_code == 404 and "gva_per_hour_worked" in unknown.text
    no_indicator = client.get(path, headers=headers)
    assert no_indicator.status_code == 422
    bad_method = client.get(path, params={"indicator": "gva_per_hour_worked", "method": "magic"},
                            headers=headers)
    assert bad_method.status_code == 422
