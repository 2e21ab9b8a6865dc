"""The typed release contract: metadata round trip, version check, refusal of missing or unknown keys."""

from __future__ import annotations

import copy
import json

import pytest

from synth.release_format import FORMAT_VERSION, ReleaseFormatError, ReleaseMetadata
from tests.dashboard.release_factory import metadata


@pytest.fixture
def document() -> dict:
    return json.loads(json.dumps(metadata("sample-20260101T000000Z-abcdef").to_json()))


def test_round_trip(document):
    meta = ReleaseMetadata.from_json(document)
    assert meta.to_json() == document
    assert meta.privacy.noise_sd_of(1) == 2.0 and meta.privacy.noise_sd_of(3) is None
    assert meta.schema.columns[0].name == "yearRegister" and meta.dataset.name == "sample"


@pytest.mark.parametrize("version", [None, 0, FORMAT_VERSION + 1, "1"])
def test_other_format_versions_are_refused(document, version):
    document["format_version"] = version
    with pytest.raises(ReleaseFormatError, match="format version"):
        ReleaseMetadata.from_json(document)


def test_a_version_1_release_is_refused_and_must_be_republished(document):
    # Version 2 (issue 8) adds the cumulative spend of the source; a version 1 document lacks it.
    assert FORMAT_VERSION == 2
    for key in ("cumulative_epsilon", "cumulative_delta"):
        del document["privacy"][key]
    document["format_version"] = 1
    with pytest.raises(ReleaseFormatError, match="format version 1, this software reads 2 .*republish"):
        ReleaseMetadata.from_json(document)
    document["format_version"] = 2
    with pytest.raises(ReleaseFormatError, match=r"missing keys \['cumulative_delta', 'cumulative_epsilon'\]"):
        ReleaseMetadata.from_json(document)


def test_a_void_cumulative_spend_round_trips_as_null(document):
    document["privacy"]["cumulative_epsilon"] = document["privacy"]["cumulative_delta"] = None
    meta = ReleaseMetadata.from_json(document)
    assert meta.privacy.cumulative_epsilon is None and json.loads(json.dumps(meta.to_json())) == document


@pytest.mark.parametrize(
    ("path", "key"),
    [((), "created_at"), (("privacy",), "epsilon"), (("dataset",), "title"), (("synthesis",), "n_records")],
)
def test_a_missing_key_is_named(document, path, key):
    node = document
    for part in path:
        node = node[part]
    del node[key]
    with pytest.raises(ReleaseFormatError, match=f"missing keys \\['{key}'\\]"):
        ReleaseMetadata.from_json(document)


def test_a_renamed_key_is_refused(document):
    renamed = copy.deepcopy(document)
    renamed["privacy"]["eps"] = renamed["privacy"].pop("epsilon")
    with pytest.raises(
        ReleaseFormatError, match=r"metadata.privacy: missing keys \['epsilon'\], unknown keys \['eps'\]"
    ):
        ReleaseMetadata.from_json(renamed)


def test_a_bad_column_is_located(document):
    document["schema"]["columns"][2] = {"name": "x"}
    with pytest.raises(ReleaseFormatError, match=r"metadata.schema.columns\[2\]"):
        ReleaseMetadata.from_json(document)


@pytest.mark.parametrize("doc", [[], "x", None])
def test_non_objects_are_refused(doc):
    with pytest.raises(ReleaseFormatError):
        ReleaseMetadata.from_json(doc)
