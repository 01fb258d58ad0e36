"""Run folders: manifest, per-sample records and summaries that can be re-scored and re-reported."""
