"""Every component id of the console, shared by its layout and callbacks."""

# prepare
UPLOAD = "c-upload"
UPLOAD_STATUS = "c-upload-status"
UPLOAD_LIMIT = "c-upload-limit"  # the upload limit in bytes, read by assets/upload_limit.js
FILE = "c-file"
PREVIEW = "c-preview"
COLUMNS = "c-columns"
SUBJECT_ID = "c-subject-id"
ZEROS = "c-zeros"
MULTI_VALUE = "c-multi-value"
DELIMITER = "c-delimiter"
BINS = "c-bins"
DOMAINS = "c-domains"
NAME = "c-name"
SPEC = "c-spec"  # store: the spec document of the choices
SPEC_BASE = "c-spec-base"  # store: the spec document last loaded (its keys without a control are kept)
SPEC_STATUS = "c-spec-status"
SPEC_SAVE = "c-spec-save"
SPEC_DOWNLOAD = "c-spec-download"
SPEC_LOAD = "c-spec-load"

# risk
REPORTING_LENGTH = "c-reporting-length"
RESOLUTION = "c-resolution"
RISK = "c-risk"
RISK_STATUS = "c-risk-status"
RISK_CANCEL = "c-risk-cancel"

# synthesize
EPSILON = "c-epsilon"
DELTA = "c-delta"
ACCURACY = "c-accuracy"
FABRICATION = "c-fabrication"
SYNTHESIZER = "c-synthesizer"
SYNTH_OPTIONS = "c-synth-options"
BUDGET = "c-budget"
RUN = "c-run"
CANCEL = "c-cancel"
QUEUED_RUN = "c-queued-run"  # store: {"run_id": ...} of the run the background job executes
RUN_STATUS = "c-run-status"
RUN_RESULT = "c-run-result"
PROGRESS = "c-progress"
PROGRESS_TEXT = "c-progress-text"

# runs, evaluate, preview, publish
RUNS_TICK = "c-runs-tick"
RUNS_TABLE = "c-runs-table"
RUN_A = "c-run-a"
RUN_B = "c-run-b"
EVALUATION = "c-evaluation"
NAV_COLUMNS = "c-nav-columns"
NAV_FILTERS = "c-nav-filters"
NAVIGATE = "c-navigate"
PUBLISH = "c-publish"
PUBLISH_CONFIRM = "c-publish-confirm"
RUN_DELETE = "c-run-delete"  # pattern id {"type": RUN_DELETE, "run": run id}: a row of the runs table
BUNDLE = "c-bundle"
BUNDLE_DOWNLOAD = "c-bundle-download"
ACTION_STATUS = "c-action-status"
