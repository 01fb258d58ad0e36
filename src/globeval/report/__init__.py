"""Reports: read run folders, never models."""
