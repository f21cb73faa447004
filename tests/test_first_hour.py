"""The first hour of a new user, through the command line, in a fresh workspace.

A local-authority analyst starts an empty workspace, imports the publishers' and their own files
(the Nomis population export as published, a long file a colleague exported, a wide file of their
own), looks an area up by name, measures inequality weighted by population, builds a need index
from the workspace, tests funding against it, runs a programme from registration to value for
money, evaluates a district, and scores a strategy. Each step checks figures worked out here from
the same files, not only that the command succeeded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.data.geography import code_history

pytestmark = pytest.mark.slow

runner = CliRunner()

BIRMINGHAM = "E08000025"
NEED_INDICATORS = ["gva_per_hour_worked", "weekly_pay", "gdhi_per_head", "employment_rate",
                   "unemployment_rate", "level3_qualifications", "gcse_english_maths_19",
                   "smoking_prevalence", "obesity_adult", "life_satisfaction",
                   "under75_preventable_circulatory_mortality"]


class User:
    """Runs commands as the user types them, against one workspace and records database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workspace = folder / "mine.duckdb"
        self.records = f"sqlite:///{folder / 'records.sqlite'}"

    def __call__(self, *args: object, records: bool = False, workspace: bool = True) -> str:
        words = [str(a) for a in args] + (["-w", str(self.workspace)] if workspace else [])
        if records:
            words += ["--records-url", self.records]
        result = runner.invoke(app, words)
        assert result.exit_code == 0, f"levelscope {' '.join(words)}\n{result.output}"
        return " ".join(result.output.split())


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from levelscope.cli import common

    monkeypatch.setattr(common.console, "width", 250)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory, shared_data: Path,
            demo_workspace_path: Path) -> dict[str, object]:
    """The workspace after the imports: the user, and the files they imported."""
    folder = tmp_path_factory.mktemp("first-hour")
    user = User(folder)
    user("init")
    # the current districts with their boundaries, as the ONS Open Geography Portal publishes them
    user("geographies", "--add", shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson")
    # the Nomis export as published: four title lines above the header, notes below, '-' for
    # missing; the user lets levelscope sniff its layout, reads it, and imports with it unchanged
    population_file = shared_data / "uk_population" / "lad_pop.csv"
    layout = folder / "lad_pop.layout.yaml"
    suggested = user("layout", "suggest", population_file, "--out", layout, workspace=False)
    assert "header on row 7; area codes in column 'mnemonic'" in suggested
    drafted = yaml.safe_load(layout.read_text())
    assert (drafted["form"], drafted["geography"], drafted["indicator_id"]) == (
        "wide", "mnemonic", "population")
    report = user("import", population_file, "--layout", layout, "--vintage", "2024-06-05")
    # long files: a colleague's export of district indicators, sent as one file per release
    # (an import takes one release at a time)
    export = folder / "district_indicators.csv"
    exported = runner.invoke(app, ["export", str(export), "-w", str(demo_workspace_path),
                                   "--level", "lad", *[f"--indicator={i}" for i in NEED_INDICATORS]])
    assert exported.exit_code == 0, exported.output
    colleague = pd.read_csv(export)
    # the explorer reports City of London and Hackney together under a code of its own: the
    # import refuses the unknown code and says to register it first, which the user does
    (folder / "places.csv").write_text("code,name,level\nE67000001,\"City of London, Hackney\",lad\n")
    user("geographies", "--add", folder / "places.csv")
    for vintage, release in colleague.groupby("vintage"):
        part = folder / f"district_indicators_{vintage}.csv"
        release.to_csv(part, index=False)
        user("import", part)
    # a wide file of the user's own: apprenticeship places they fund, by year
    own = folder / "places_funded.csv"
    own.write_text("Code,District,2022,2023\nE08000025,Birmingham,1200,1350\n"
                   "E08000028,Sandwell,300,410\nE08000029,Solihull,150,140\n")
    (folder / "mine.yaml").write_text(yaml.safe_dump([{
        "id": "apprenticeship_places", "name": "Apprenticeship places funded",
        "unit": "places", "theme": "Skills"}]))
    user("indicators", "--add", folder / "mine.yaml")
    user("import", own, "--form", "wide", "--geography", "Code", "--indicator",
         "apprenticeship_places", "--vintage", "2024-07-01")
    return {"user": user, "folder": folder, "colleague": colleague,
            "population_report": report}


def _nomis_population(shared_data: Path) -> pd.DataFrame:
    """The Nomis file read by hand: areas by years, '-' as missing."""
    table = pd.read_csv(shared_data / "uk_population" / "lad_pop.csv", skiprows=6, dtype=str)
    table = table[table["mnemonic"].fillna("").str.match(r"^[EWSN]\d{8}$")]
    return table.set_index("mnemonic").drop(columns=table.columns[0]).replace("-", np.nan).astype(float)


def test_imports_into_a_fresh_workspace(journey: dict[str, object], shared_data: Path) -> None:
    user = journey["user"]
    assert isinstance(user, User)
    overview = user("overview")
    population = _nomis_population(shared_data)
    values = int(population.notna().to_numpy().sum())
    boundaries = json.loads((shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson").read_text())
    current = {f["properties"]["LAD23CD"] for f in boundaries["features"]}
    new = set(population.index) - current  # districts of 2021 merged away by 2023
    report = str(journey["population_report"])
    # a new workspace knows every UK code since 2009 with its dates, so the April-2021 districts
    # merged away by 2023 (6 in Cumbria, 7 in North Yorkshire, 4 in Somerset) are kept for their
    # years and no place needs registering
    assert f"written {values:,}" in report and "places registered" not in report
    assert len(new) == 17 and all(code_history().record(c).valid_to is not None for c in new)
    assert f"{len(code_history()):,} places" in overview  # City of London and Hackney among them
    listing = user("geographies", "--level", "lad", "--json", "-")  # the districts in use today
    assert len(json.loads(listing)) == len(current) + 1  # and City of London, Hackney


def test_show_by_name(journey: dict[str, object], shared_data: Path) -> None:
    user = journey["user"]
    assert isinstance(user, User)
    shown = user("show", "birmingham")
    population = _nomis_population(shared_data)
    assert f"Birmingham ({BIRMINGHAM})" in shown
    assert f"{population.loc[BIRMINGHAM, '2022']:,.0f} persons" in shown  # 1,157,603
    # the user's own count is context, per head of the 2022 population (1,350 places in 2023)
    per_thousand = 1350 * 1000 / population.loc[BIRMINGHAM, "2022"]
    assert re.search(rf"2023 │ 1,350 places │ {per_thousand:.2f} per 1,000 people", shown), shown
    colleague = journey["colleague"]
    assert isinstance(colleague, pd.DataFrame)
    gva = colleague[colleague["indicator_id"] == "gva_per_hour_worked"]
    latest = gva[gva["period"] == gva["period"].max()]
    mine = latest.loc[latest["geography_code"] == BIRMINGHAM, "value"].iloc[0]
    rank = int((latest["value"] > mine).sum()) + 1
    assert re.search(rf"£34.20 per hour worked │ [^│]+ │ {rank} of {len(latest)} │", shown), shown


def test_inequality_weighted_by_population(journey: dict[str, object], shared_data: Path) -> None:
    user = journey["user"]
    assert isinstance(user, User)
    out = Path(str(journey["folder"])) / "inequality.csv"
    user("inequality", "gva_per_hour_worked", "--level", "lad", "--weight", "population",
         "--drop-unweighted", "--csv", out)
    table = pd.read_csv(out).set_index("year")
    colleague = journey["colleague"]
    assert isinstance(colleague, pd.DataFrame)
    periods = colleague["period"].astype(str)
    gva = colleague[(colleague["indicator_id"] == "gva_per_hour_worked") & (periods == "2015")]
    population = _nomis_population(shared_data)["2015"]
    both = gva.set_index("geography_code")["value"].to_frame("x").join(population.rename("w"),
                                                                      how="inner").dropna()
    x, w = both["x"].to_numpy(), both["w"].to_numpy()
    # the weighted Gini written out: sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean)
    mean = np.sum(w * x) / np.sum(w)
    gini = np.sum(np.outer(w, w) * np.abs(x[:, None] - x[None, :])) / (2 * np.sum(w) ** 2 * mean)
    assert table.loc[2015, "gini"] == pytest.approx(gini, rel=1e-9)
    assert table.loc[2015, "n"] == len(both)


def test_need_funding_programme_evaluation_and_design(journey: dict[str, object]) -> None:
    user = journey["user"]
    assert isinstance(user, User)
    folder = Path(str(journey["folder"]))
    # the population is on April-2021 codes and some indicators on 2023 codes: the user puts every
    # figure on 2023 boundaries, so Cumberland's population is the sum of its three districts'
    user("geographies", "--set-geography-vintage", "2023")
    user("need", "template", "--out", folder / "need.yaml", workspace=False)
    scores = folder / "need.csv"
    built = user("need", "build", folder / "need.yaml", "--csv", scores)
    need = pd.read_csv(scores).set_index("geography_code")["score"]
    neediest = need.idxmax()
    assert "Local need (example)" in built and neediest in built

    # funding: per head of the most-needy fifth, worked out from the scores and the population
    allocations = folder / "allocations.csv"
    allocations.write_text(
        "programme,round,geography_code,amount,date,outcome\n"
        f"Fund,1,{neediest},\"£10,000,000\",2022-01-19,successful\n"
        f"Fund,1,{BIRMINGHAM},\"£5,000,000\",2022-01-19,successful\n"
        f"Fund,1,{need.idxmin()},\"£2,000,000\",2022-01-19,successful\n")
    funding = user("funding", "analyse", allocations, "--need", scores)
    people = _population_2022(folder, user)
    # the most-needy fifth: the first ceil(n / 5) areas by need
    top = need.sort_values(ascending=False, kind="stable").index[: -(-len(need) // 5)]
    money = {neediest: 10e6, BIRMINGHAM: 5e6}
    per_head = sum(v for k, v in money.items() if k in top) / people.reindex(top).sum()
    assert f"The most-needy fifth of areas received £{per_head:.2f} per head" in funding
    user("geographies", "--set-geography-vintage", "published")  # back to the codes as published

    # a programme from registration to value for money
    user("programme", "create", "Skills for Birmingham", "--start", "2022-04-01", "--end",
         "2026-03-31", "--place", "Birmingham", records=True)
    user("programme", "add-indicator", "1", "Learners trained", "--stage", "output",
         "--baseline-date", "2022-04-01", "--baseline", "0", "--target-date", "2026-04-01",
         "--target", "1461", "--unit", "people", records=True, workspace=False)
    # 2023-04-01 is day 365 of 1,461: 365 expected; 250 is 115 / 1,461 = 7.9% of the target
    # behind, more than the 5% of "on track" and less than the 15% of "off track": at risk
    assert "status now at risk" in user("programme", "record-actual", "1", "2023-04-01", "250",
                                        records=True, workspace=False)
    user("programme", "add-spend", "1", "2022", "UKSPF", "500000", "--place", "Birmingham",
         records=True)
    user("programme", "add-cash-flow", "1", "2022", "cost", "1000", records=True, workspace=False)
    user("programme", "add-cash-flow", "1", "2023", "benefit", "1242", records=True,
         workspace=False)
    # 1,242 a year later at 3.5% is worth 1,200: NPSV £200, BCR 1.20
    appraisal = user("programme", "appraise", "1", records=True, workspace=False)
    assert "NPSV £200" in appraisal and "BCR 1.20" in appraisal
    vfm = user("programme", "vfm", "1", "--need", scores, records=True)
    # the comparison set: districts with a need score and a population; quintile 1 = neediest
    shared = need[need.index.isin(people.index)].sort_index()
    first = np.ceil(shared.rank(ascending=False, method="first") * 5 / len(shared)) == 1
    share = "100.0%" if first[BIRMINGHAM] else "0.0%"
    assert f"equity {share} share of spend in most deprived fifth" in vfm
    assert "efficiency £2,000 cost per unit" in vfm  # £500,000 for 250 learners
    shown = user("programme", "show", "1", records=True)
    assert f"places: Birmingham ({BIRMINGHAM})" in shown

    # evaluation at district level: donors with gaps are left out and counted
    evaluation = user("evaluate", "area", "gva_per_hour_worked", "-t", "Birmingham", "--start",
                      "2015", "--no-placebos")
    colleague = journey["colleague"]
    assert isinstance(colleague, pd.DataFrame)
    gva = colleague[colleague["indicator_id"] == "gva_per_hour_worked"]
    years = set(gva.loc[gva["geography_code"] == BIRMINGHAM, "period"])
    counts = gva[gva["period"].isin(years)].groupby("geography_code")["period"].nunique()
    gappy = int((counts < len(years)).sum())
    assert f"against {len(counts) - 1 - gappy} other local authority districts" in evaluation
    if gappy:
        assert f"(left out: {gappy} gaps in the series)" in evaluation
    else:  # every district has every year (old codes are kept for their years)
        assert "left out" not in evaluation

    # the strategy against the success factors: every criterion at 3 of 4 scores 75
    answers = folder / "answers.yaml"
    user("design", "template", "--place", "Birmingham", "--strategy", "Skills", "--out", answers)

    filled = re.sub(r"score: null", "score: 3", answers.read_text())
    filled = filled.replace('assessor: ""', 'assessor: "An analyst"')
    answers.write_text(filled)
    assessed = user("design", "assess", answers, workspace=False)
    assert re.search(r"[Oo]verall[^0-9]*75\.0", assessed), assessed


def _population_2022(folder: Path, user: User) -> pd.Series:
    out = folder / "population.csv"
    user("export", out, "--indicator", "population", "--level", "lad", "--geography-vintage", "2023")
    table = pd.read_csv(out)
    latest = table.sort_values("period").drop_duplicates("geography_code", keep="last")
    return latest.set_index("geography_code")["value"]
