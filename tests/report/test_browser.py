"""Which samples the report carries, and their escaping."""

from __future__ import annotations

import json

import pandas as pd

from globeval.report.browser import pick_rows, safe_json


def test_failed_and_unparsed_samples_come_first() -> None:
    items = pd.DataFrame(
        {
            "language": ["en"] * 10,
            "sample_id": [f"s{i}" for i in range(10)],
            "status": ["ok"] * 7 + ["failed", "format_error", "failed"],
            "scored": [True] * 7 + [False, True, False],
        }
    )
    picked = pick_rows(items, 4)
    assert len(picked) == 4
    assert sum(items.loc[picked, "status"] != "ok") == 2  # half the quota


def test_the_same_items_are_picked_in_every_run() -> None:
    def items(order: list[int]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "language": ["en"] * 20,
                "sample_id": [f"s{i}" for i in order],
                "status": ["ok"] * 20,
                "scored": [True] * 20,
            }
        )

    forward, backward = items(list(range(20))), items(list(range(19, -1, -1)))
    ids_f = set(forward.loc[pick_rows(forward, 5), "sample_id"])
    ids_b = set(backward.loc[pick_rows(backward, 5), "sample_id"])
    assert ids_f == ids_b


def test_safe_json_cannot_close_a_script_element() -> None:
    text = safe_json({"r": "</script><b>&\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"r": "</script><b>&\u2028"}


def test_the_quota_caps_each_language() -> None:
    items = pd.DataFrame(
        {
            "language": ["en"] * 30 + ["fr"] * 5,
            "sample_id": [f"s{i}" for i in range(35)],
            "status": ["ok"] * 35,
            "scored": [True] * 35,
        }
    )
    picked = items.loc[pick_rows(items, 10)]
    assert picked["language"].value_counts().to_dict() == {"en": 10, "fr": 5}
