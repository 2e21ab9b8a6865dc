"""End to end through the release contract: the real CLI publishes, the real app serves what it wrote.

``python -m synth demo --victims 2000`` writes a release; ``create_app`` serves it; every page and every API
and export route answers 200 with the values that release's ``metadata.json`` and tables hold. Unlike the
dashboard tests (hand-made release), a key renamed on either side of the contract fails here.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.app import create_app
from dashboard.config import Settings
from layouts.about import readable_value
from layouts.common import readable_date
from synth import release_format as fmt
from synth.release import current_release, read_metadata
from synth.release_format import ReleaseMetadata
from tests.dashboard.payloads import page_content_payload

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/explore", "/data", "/about"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, ReleaseMetadata]:
    root = tmp_path_factory.mktemp("demo")
    cli = [sys.executable, "-m", "synth", "demo", "--victims", "2000"]
    subprocess.run(
        [*cli, "--data-dir", str(root / "data"), "--private-dir", str(root / "private")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    folder = current_release(root / "data")
    assert folder is not None
    return folder, read_metadata(folder)


@pytest.fixture(scope="module")
def client(demo):
    folder, _ = demo
    return create_app(Settings(data_dir=folder.parent.parent, cache_type="SimpleCache")).server.test_client()


def _page_content(client, path: str) -> str:
    """The page as Dash renders it: the pages callback's output for ``path`` (JSON text)."""
    client.get("/")  # Dash pages registers its routing callback at the first request
    payload = page_content_payload(path, "")
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def test_metadata_file_round_trips_through_the_typed_contract(demo):
    folder, meta = demo
    document = json.loads((folder / fmt.METADATA).read_text(encoding="utf-8"))
    assert ReleaseMetadata.from_json(document) == meta
    assert json.loads(json.dumps(meta.to_json())) == document
    assert set(meta.files) == {
        fmt.AGGREGATES,
        fmt.SYNTHETIC,
        fmt.SYNTHETIC_CONDENSED,
        fmt.SYNTHETIC_LONG,
        fmt.EVALUATION,
    }


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_the_release(client, demo, path):
    _, meta = demo
    assert client.get(path).status_code == 200
    shell = client.get("/_dash-layout").data.decode()
    assert meta.release_id in shell and f"Published {readable_date(meta.created_at)}." in shell
    content = _page_content(client, path)
    assert "No release published yet" not in content
    if path == "/about":
        method = readable_value(meta.synthesis.method)  # in words ("raked marginals"), not the machine name
        for value in (meta.release_id, meta.software_version, method, f"{meta.synthesis.n_records:,}"):
            assert value in content
        assert f"{meta.privacy.epsilon:.4g}" in content and f"{meta.privacy.delta:.4g}" in content
        # The cumulative spend of the source by the ledger (one release so far: its own epsilon_total).
        assert meta.privacy.cumulative_epsilon == meta.privacy.epsilon_total
        assert "Cumulative ε of this dataset" in content and f"{meta.privacy.cumulative_epsilon:.4g}" in content


def test_api_metadata_is_the_release_metadata(client, demo):
    _, meta = demo
    body = client.get("/api/v1/metadata").get_json()
    assert ReleaseMetadata.from_json(body["release"]) == meta
    assert [c["name"] for c in body["columns"]] == list(dict.fromkeys(c.source for c in meta.schema.columns))
    assert body["history"] == [
        {
            "release_id": meta.release_id,
            "created_at": meta.created_at,
            "dataset": meta.dataset.name,
            "epsilon": meta.privacy.epsilon,
        }
    ]
    assert meta.release_id in body["citation"]


def test_api_aggregates_serve_the_published_counts(client, demo):
    folder, meta = demo
    table = pq.read_table(folder / fmt.AGGREGATES).to_pandas()
    one = table[table[fmt.LENGTH] == 1].dropna(subset=["gender"])
    expected = dict(zip(one["gender"], one[fmt.COUNT].astype(int), strict=True))
    body = client.get("/api/v1/aggregates?columns=gender").get_json()
    assert body["release_id"] == meta.release_id
    assert body["reporting_length"] == meta.privacy.reporting_length
    published = {r["gender"]: r["count"] for r in body["rows"] if r["status"] == "published"}
    assert published == expected and published
    sd = meta.privacy.noise_sd[0]
    assert all(r["sd"] == round(sd, 1) for r in body["rows"] if r["status"] == "published")  # published to 0.1


def test_api_records_serve_the_synthetic_table(client, demo):
    folder, meta = demo
    body = client.get("/api/v1/records?limit=5").get_json()
    assert body["release_id"] == meta.release_id
    assert body["total"] == meta.synthesis.n_records == pq.read_metadata(folder / fmt.SYNTHETIC).num_rows
    assert len(body["records"]) == 5


@pytest.mark.parametrize("url", ["/export/records.csv", "/export/aggregates.csv?c=gender"])
def test_exports_carry_the_release_provenance(client, demo, url):
    _, meta = demo
    response = client.get(url)
    assert response.status_code == 200
    text = response.data.decode()
    header = dict(line[2:].split(": ", 1) for line in text.splitlines() if line.startswith("# "))
    assert header["release_id"] == meta.release_id and header["dataset"] == meta.dataset.name
    assert header["release_created_at"] == meta.created_at
    privacy = json.loads(header["privacy"])
    assert privacy == {
        k: asdict(meta.privacy)[k]
        for k in (
            "mechanism",
            "epsilon",
            "delta",
            "cumulative_epsilon",
            "cumulative_delta",
            "reporting_length",
            "protected_number_of_records",
        )
    }
    frame = pd.read_csv(io.StringIO(text), comment="#")
    if "records" in url:
        assert len(frame) == meta.synthesis.n_records
    else:
        gender = next(c for c in meta.schema.columns if c.name == "gender")
        assert set(frame["gender"]) == set(gender.values)


@pytest.mark.parametrize(
    "url", ["/export/records.xlsx", "/export/records.parquet", "/export/aggregates.parquet?c=gender"]
)
def test_binary_exports_answer(client, url):
    response = client.get(url)
    assert response.status_code == 200 and len(response.data) > 0
