"""Load one config/split of a dataset: from a local copy when given, else from the Hub."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from globeval.data.errors import DataError
from globeval.data.files import Row, find_split_files, read_rows, sha256_of

_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class DatasetRef:
    repo: str
    config: str
    split: str
    revision: str


@dataclass
class LoadedSplit:
    rows: list[Row]
    #: what the manifest records: repo, config, split, revision (resolved when possible), files
    origin: dict[str, Any] = field(default_factory=dict)


def load_split(ref: DatasetRef, data_dir: Path | None, required: bool = True) -> LoadedSplit:
    """Rows of `ref`, from `data_dir` when given (no network), else from the Hugging Face Hub.

    `required=False` returns an empty split instead of failing when a local copy lacks it.
    """
    if data_dir is not None:
        files = find_split_files(data_dir, ref.config, ref.split)
        if not files:
            if not required:
                return LoadedSplit([], {"config": ref.config, "split": ref.split, "files": []})
            raise DataError(
                f"{data_dir / ref.config}: no {ref.split!r} split found for config {ref.config!r} "
                f"(expected {ref.split}.parquet/.jsonl/.json/.csv or {ref.split}-*.parquet)"
            )
        rows = [row for path in files for row in read_rows(path)]
        origin = {
            "local_dir": str(data_dir),
            "config": ref.config,
            "split": ref.split,
            "files": [{"path": str(p), "sha256": sha256_of(p)} for p in files],
        }
        return LoadedSplit(rows, origin)
    return _load_from_hub(ref, required)


def _load_from_hub(ref: DatasetRef, required: bool) -> LoadedSplit:
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a core dependency
        raise DataError("the 'datasets' package is needed to load from the Hub") from exc
    try:
        ds = datasets.load_dataset(ref.repo, ref.config, split=ref.split, revision=ref.revision)
    except ValueError as exc:
        if not required and "split" in str(exc).lower():
            return LoadedSplit([], {"repo": ref.repo, "config": ref.config, "split": ref.split})
        raise DataError(_offline_help(ref, exc)) from exc
    except Exception as exc:
        raise DataError(_offline_help(ref, exc)) from exc
    source = f"hf://datasets/{ref.repo}@{ref.revision}/{ref.config}/{ref.split}"
    rows = [Row(dict(rec), source, i) for i, rec in enumerate(ds)]
    return LoadedSplit(
        rows,
        {
            "repo": ref.repo,
            "config": ref.config,
            "split": ref.split,
            "revision": ref.revision,
            "resolved_sha": _resolve_sha(ref),
            "fingerprint": getattr(ds, "_fingerprint", None),
        },
    )


def _resolve_sha(ref: DatasetRef) -> str | None:
    if _SHA.match(ref.revision):
        return ref.revision
    try:
        from huggingface_hub import HfApi

        sha = HfApi().dataset_info(ref.repo, revision=ref.revision).sha
        return str(sha) if sha else None
    except Exception:
        return None


def _offline_help(ref: DatasetRef, exc: BaseException) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"could not load {ref.repo} (config {ref.config!r}, split {ref.split!r}, revision "
        f"{ref.revision}) from the Hugging Face Hub: {reason}\n"
        "With no network, use a local copy: on a machine with network run\n"
        f"  huggingface-cli download {ref.repo} --repo-type dataset --revision {ref.revision} "
        "--local-dir DIR\n"
        "and pass --data-dir DIR (files DIR/CONFIG/SPLIT*.parquet, .jsonl, .json or .csv); "
        "or try the bundled sample with --sample."
    )
