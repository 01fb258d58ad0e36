"""Analysis over run folders: per-language profiles, gaps, groupings, rankings, comparisons.

Reads `summary.json` and `samples/<task>.parquet` only; never a model.
"""

from globeval.analysis.compare import Comparison, compare_runs
from globeval.analysis.runs import Run, RunError, load_run, load_runs
from globeval.analysis.runset import RunSet

__all__ = ["Comparison", "Run", "RunError", "RunSet", "compare_runs", "load_run", "load_runs"]
