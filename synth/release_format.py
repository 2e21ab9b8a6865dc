"""The release format: the one contract between the release writer (synth) and every reader (dashboard).

File and folder names, the columns of ``aggregates.parquet`` and the typed contents of ``metadata.json``
live here and nowhere else; ``docs/release-format.md`` describes them in words. :meth:`ReleaseMetadata.from_json`
checks the format version and refuses a document with missing or unknown keys, so a renamed key fails
loudly in the reader instead of turning into a silent default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

#: Version 2 (issue 8): ``privacy.cumulative_epsilon`` and ``privacy.cumulative_delta``. A reader refuses
#: any other version; releases written by older software must be republished.
FORMAT_VERSION = 2

# Folder layout of a data directory.
CURRENT = "current"
RELEASES = "releases"
TMP_PREFIX = ".tmp-"

# Files of one release folder.
METADATA = "metadata.json"
AGGREGATES = "aggregates.parquet"
SYNTHETIC = "synthetic.parquet"
SYNTHETIC_CONDENSED = "synthetic_condensed.csv"
SYNTHETIC_LONG = "synthetic_long.csv"
EVALUATION = "evaluation.json"

# Columns of aggregates.parquet besides one column per schema column.
COMBINATION = "combination"
LENGTH = "length"
COUNT = "count"
SD = "sd"

#: Column names the release format and its readers use for their own fields (aggregates.parquet has
#: combination/length/count/sd beside one column per schema column; the dashboard adds the others).
RESERVED_COLUMNS = frozenset(
    {COMBINATION, LENGTH, COUNT, SD, "status", "published", "low", "high", "shown", "estimated", "value"}
)


class ReleaseFormatError(ValueError):
    """A metadata document that does not follow this version of the release format."""


def _build(cls: type, doc: Any, where: str) -> Any:
    """``cls(**doc)`` with a clear error for a non-object, missing or unknown keys."""
    if not isinstance(doc, dict):
        raise ReleaseFormatError(f"{where}: expected an object, got {type(doc).__name__}")
    names = {f.name for f in fields(cls)}
    missing, unknown = names - doc.keys(), doc.keys() - names
    if missing or unknown:
        raise ReleaseFormatError(f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
    return cls(**doc)


@dataclass(frozen=True)
class DatasetInfo:
    """Which dataset a release describes: its id (keys releases and the ledger), title and citation."""

    name: str
    title: str
    citation: str


@dataclass(frozen=True)
class PrivacyInfo:
    """Parameters and DP outputs of the DP-marginals mechanism (never the true n).

    Lists are indexed by combination length, 0-based. ``candidates[0]`` is None: |V_1| is not DP protected.
    ``cumulative_epsilon`` / ``cumulative_delta``: the sums of ``epsilon_total`` and ``delta`` over every DP
    release of the source in the ledger, this one included (basic composition); None when the ledger holds
    a non-DP (k-anonymity) release of the source, which leaves no DP guarantee.
    """

    mechanism: str
    epsilon: float
    delta: float
    delta_source: str
    reporting_length: int
    protected_number_of_records: int
    budget_split: dict[str, float]
    sigma: list[float]
    sigma_proportions: list[float]
    contribution_caps: list[int]
    noise_sd: list[float]
    thresholds: list[float]
    threshold_type: str
    threshold_values: dict[str, float]
    accuracy_mode: str
    fabrication_mode: str
    percentile_percentage: float
    percentile_epsilon_proportion: float
    number_of_records_epsilon_proportion: float
    candidates: list[int | None]
    survivors: list[int]
    published: list[int]
    binning_epsilon: float
    epsilon_total: float
    composition: str
    cumulative_epsilon: float | None
    cumulative_delta: float | None

    def noise_sd_of(self, length: int) -> float | None:
        """Noise sd of combinations of ``length`` (None when the release publishes none of that length)."""
        return float(self.noise_sd[length - 1]) if 0 < length <= len(self.noise_sd) else None


@dataclass(frozen=True)
class ColumnInfo:
    """One encoded column: its source column, value domain, multi-value expansion and display label.

    ``declared``: the column's value domain is public (declared in the spec, or bin labels), so ``values``
    lists every declared value, each with a published DP 1-count (0 included); otherwise ``values`` are the
    values that survived the DP threshold.
    """

    name: str
    source: str
    values: list[str]
    multi_value: bool
    delimiter: str | None
    label: str
    declared: bool = False


@dataclass(frozen=True)
class SynthesisInfo:
    """How the synthetic records were made: method, every parameter as it ran, number of records."""

    method: str
    options: dict[str, Any]
    n_records: int


@dataclass(frozen=True)
class SchemaInfo:
    """The public schema: encoded columns in order (attribute ids follow this order)."""

    columns: list[ColumnInfo]


@dataclass(frozen=True)
class FileInfo:
    """Checksum and size of one file of the release folder."""

    sha256: str
    bytes: int


@dataclass(frozen=True)
class ReleaseMetadata:
    """``metadata.json``. ``files`` is filled in by the writer, last, from the written files."""

    format_version: int
    release_id: str
    created_at: str
    software_version: str
    dataset: DatasetInfo
    privacy: PrivacyInfo
    schema: SchemaInfo
    synthesis: SynthesisInfo
    files: dict[str, FileInfo]

    def to_json(self) -> dict[str, Any]:
        """The JSON document."""
        return asdict(self)

    @classmethod
    def from_json(cls, doc: Any) -> ReleaseMetadata:
        """Parse and check a ``metadata.json`` document; ReleaseFormatError when it does not conform."""
        if not isinstance(doc, dict):
            raise ReleaseFormatError("metadata: expected an object")
        version = doc.get("format_version")
        if version != FORMAT_VERSION:
            raise ReleaseFormatError(
                f"metadata: format version {version!r}, this software reads {FORMAT_VERSION} "
                "(republish the release with this software)"
            )
        top = _build(cls, doc, "metadata")
        schema = _build(SchemaInfo, top.schema, "metadata.schema")
        if not isinstance(schema.columns, list) or not isinstance(top.files, dict):
            raise ReleaseFormatError("metadata: schema.columns must be a list and files an object")
        columns = [_build(ColumnInfo, c, f"metadata.schema.columns[{i}]") for i, c in enumerate(schema.columns)]
        return cls(
            format_version=top.format_version,
            release_id=top.release_id,
            created_at=top.created_at,
            software_version=top.software_version,
            dataset=_build(DatasetInfo, top.dataset, "metadata.dataset"),
            privacy=_build(PrivacyInfo, top.privacy, "metadata.privacy"),
            schema=SchemaInfo(columns),
            synthesis=_build(SynthesisInfo, top.synthesis, "metadata.synthesis"),
            files={name: _build(FileInfo, f, f"metadata.files.{name}") for name, f in top.files.items()},
        )


@dataclass(frozen=True)
class ReleaseSummary:
    """One line of the release history (``list_releases``, the API's ``history``, the About page)."""

    release_id: str
    created_at: str
    dataset: str
    epsilon: float

    @classmethod
    def of(cls, meta: ReleaseMetadata) -> ReleaseSummary:
        return cls(meta.release_id, meta.created_at, meta.dataset.name, meta.privacy.epsilon)
