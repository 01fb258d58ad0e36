"""Plotly figures for the HTML report, built from the analysis frames (globeval.analysis).

Every string that reaches a figure (run, model, task, language and group names) goes through
`esc`: plotly renders a subset of HTML in labels, and names come from user files.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PALETTE = (
    "#4C72B0",
    "#DD8452",
    "#55A868",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#8C8C8C",
    "#CCB974",
    "#64B5CD",
)
REGRESSION, IMPROVEMENT, NEUTRAL = "#C44E52", "#55A868", "#8C8C8C"

TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        "colorway": list(PALETTE),
        "paper_bgcolor": "white",
        "plot_bgcolor": "#fbfbfd",
        "xaxis": {"gridcolor": "#e6e6ef", "zerolinecolor": "#9a9aa8"},
        "yaxis": {"gridcolor": "#e6e6ef", "zerolinecolor": "#9a9aa8"},
        "hoverlabel": {"align": "left"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    }
)


def run_colors(runs: Sequence[str]) -> dict[str, str]:
    """One colour per run, the same in every figure of a report."""
    return {run: PALETTE[i % len(PALETTE)] for i, run in enumerate(runs)}


def _colour(colors: Mapping[str, str] | None, run: str, i: int) -> str:
    return (colors or {}).get(run, PALETTE[i % len(PALETTE)])


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def pct(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return 100.0 * float(value)


def _layout(fig: go.Figure, title: str, height: int, **kwargs: Any) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title={"text": esc(title), "x": 0}, height=height)
    fig.update_layout(**kwargs)
    return fig


def _errors(frame: pd.DataFrame, value: str, low: str, high: str, scale: float) -> dict[str, Any]:
    plus = (frame[high] - frame[value]).clip(lower=0) * scale
    minus = (frame[value] - frame[low]).clip(lower=0) * scale
    return {
        "type": "data",
        "array": plus.fillna(0).tolist(),
        "arrayminus": minus.fillna(0).tolist(),
        "thickness": 1.2,
        "width": 2,
    }


def lang_label(row: Any) -> str:
    return f"{row['language']} · {row['language_name']}"


def heatmap(languages: pd.DataFrame, metric_note: str) -> go.Figure:
    """Languages x (task, run) of the headline metric."""
    frame = languages.copy()
    frame["column"] = frame["task"].map(esc) + " · " + frame["run"].map(esc)
    frame["row"] = frame.apply(lambda r: esc(lang_label(r)), axis=1)
    columns = list(dict.fromkeys(frame["column"]))
    order = frame.groupby("row")["value"].mean().sort_values(ascending=True).index.tolist()
    z = frame.pivot_table(index="row", columns="column", values="value", aggfunc="mean")
    z = z.reindex(index=order, columns=columns)
    ci = frame.assign(
        ci=frame.apply(
            lambda r: (
                f"{pct(r['value']) or 0:.1f} [{pct(r['ci_low']) or 0:.1f}, "
                f"{pct(r['ci_high']) or 0:.1f}] n={r['n']}"
            ),
            axis=1,
        )
    ).pivot_table(index="row", columns="column", values="ci", aggfunc="first")
    ci = ci.reindex(index=order, columns=columns)
    values = (z * 100).round(1)
    fig = go.Figure(
        go.Heatmap(
            z=values.to_numpy(),
            x=columns,
            y=order,
            text=values.map(lambda v: "" if pd.isna(v) else f"{v:.1f}").to_numpy(),
            texttemplate="%{text}",
            customdata=ci.fillna("no data").to_numpy(),
            hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>",
            colorscale="Viridis",
            colorbar={"title": {"text": "%"}},
            xgap=1,
            ygap=1,
        )
    )
    return _layout(
        fig,
        f"Per-language score (%), {metric_note}",
        height=max(320, 22 * len(order) + 160),
        xaxis={"side": "top", "tickangle": 0},
        margin={"l": 170, "t": 110},
    )


def language_bars(
    frame: pd.DataFrame, task: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """One task: per-language bars with CIs, one colour per run, sorted by the first run."""
    runs = list(dict.fromkeys(frame["run"]))
    first = frame[frame["run"] == runs[0]].sort_values("value", ascending=False)
    order = list(first["language"]) + sorted(set(frame["language"]) - set(first["language"]))
    fig = go.Figure()
    for i, run in enumerate(runs):
        sub = frame[frame["run"] == run].set_index("language").reindex(order).reset_index()
        sub = sub.dropna(subset=["value"])
        fig.add_bar(
            name=esc(run),
            x=[esc(lang_label(r)) for _, r in sub.iterrows()],
            y=(sub["value"] * 100).tolist(),
            error_y=_errors(sub, "value", "ci_low", "ci_high", 100),
            marker_color=_colour(colors, run, i),
            customdata=sub[["n"]].to_numpy(),
            hovertemplate="%{x}<br>%{y:.1f}% (n=%{customdata[0]})<extra>" + esc(run) + "</extra>",
        )
    metric = frame["metric"].iloc[0]
    return _layout(
        fig,
        f"{task}: {metric} per language (%, 95% CI)",
        height=420,
        barmode="group",
        yaxis={"title": {"text": f"{esc(metric)} (%)"}},
        xaxis={"tickangle": -45, "automargin": True},
    )


def gap_bars(
    frame: pd.DataFrame, task: str, reference: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Each language minus the reference language, in points, with CIs."""
    data = frame[(frame["task"] == task) & (frame["level"] == "language")]
    runs = list(dict.fromkeys(data["run"]))
    order = data[data["run"] == runs[0]].sort_values("gap")["language"].tolist() if runs else []
    fig = go.Figure()
    for i, run in enumerate(runs):
        sub = data[data["run"] == run].set_index("language").reindex(order).reset_index()
        sub = sub.dropna(subset=["gap"])
        fig.add_bar(
            name=esc(run),
            x=[esc(lang_label(r)) for _, r in sub.iterrows()],
            y=(sub["gap"] * 100).tolist(),
            error_y=_errors(sub, "gap", "gap_low", "gap_high", 100),
            marker_color=_colour(colors, run, i),
            hovertemplate="%{x}<br>%{y:+.1f} points<extra>" + esc(run) + "</extra>",
        )
    return _layout(
        fig,
        f"{task}: gap to {reference} (points, 95% CI; below 0 = worse than {reference})",
        height=400,
        barmode="group",
        yaxis={"title": {"text": "points"}, "zeroline": True},
        xaxis={"tickangle": -45, "automargin": True},
    )


def group_panels(
    frame: pd.DataFrame,
    task: str,
    titles: Mapping[str, str],
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """One task: a panel per grouping (script, Latin vs non-Latin, resource class), bars per
    run with CIs."""
    from plotly.subplots import make_subplots

    data = frame[frame["task"] == task]
    groupings = [by for by in titles if (data["by"] == by).any()]
    widths = [max(1, data[data["by"] == by]["group"].nunique()) for by in groupings]
    fig = make_subplots(
        rows=1,
        cols=len(groupings),
        shared_yaxes=True,
        column_widths=widths,
        subplot_titles=[esc(titles[by]) for by in groupings],
        horizontal_spacing=0.04,
    )
    runs = list(dict.fromkeys(data["run"]))
    for col, by in enumerate(groupings, start=1):
        for i, run in enumerate(runs):
            sub = data[(data["run"] == run) & (data["by"] == by)]
            fig.add_bar(
                name=esc(run),
                legendgroup=esc(run),
                showlegend=col == 1,
                x=[esc(g) for g in sub["group"]],
                y=(sub["value"] * 100).tolist(),
                error_y=_errors(sub, "value", "ci_low", "ci_high", 100),
                marker_color=_colour(colors, run, i),
                customdata=np.stack([sub["n_languages"], sub["languages"].map(esc)], axis=1),
                hovertemplate="%{x}: %{y:.1f}%<br>%{customdata[0]} languages: %{customdata[1]}"
                "<extra>" + esc(run) + "</extra>",
                row=1,
                col=col,
            )
    fig.update_yaxes(title_text="%", row=1, col=1)
    fig.update_xaxes(automargin=True)
    return _layout(
        fig,
        f"{task}: macro over languages by group (%, 95% CI)",
        height=420,
        barmode="group",
        margin={"t": 110},
        legend={"y": 1.12},
    )


def subset_dots(
    frame: pd.DataFrame, task: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    data = frame[(frame["task"] == task) & (frame["level"] == "language")]
    a, b = data["a"].iloc[0], data["b"].iloc[0]
    runs = list(dict.fromkeys(data["run"]))
    fig = go.Figure()
    for i, run in enumerate(runs):
        sub = data[data["run"] == run].sort_values("diff")
        fig.add_scatter(
            name=esc(run),
            mode="markers",
            x=[esc(lang_label(r)) for _, r in sub.iterrows()],
            y=(sub["diff"] * 100).tolist(),
            error_y=_errors(sub, "diff", "diff_low", "diff_high", 100),
            marker={"color": _colour(colors, run, i), "size": 8},
            customdata=np.stack([sub["value_a"] * 100, sub["value_b"] * 100], axis=1),
            hovertemplate="%{x}<br>"
            + esc(a)
            + " %{customdata[0]:.1f}% vs "
            + esc(b)
            + " %{customdata[1]:.1f}%<br>difference %{y:+.1f} points<extra>"
            + esc(run)
            + "</extra>",
        )
    fig.add_hline(y=0, line_color=NEUTRAL, line_width=1)
    return _layout(
        fig,
        f"{task}: {a} minus {b} per language (points, 95% CI)",
        height=380,
        scattermode="group",
        yaxis={"title": {"text": "points"}},
        xaxis={"tickangle": -45, "automargin": True},
    )


def rank_slopes(
    ranks: pd.DataFrame, task: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    data = ranks[ranks["task"] == task]
    a, b = data["a"].iloc[0], data["b"].iloc[0]
    fig = go.Figure()
    for i, (_, row) in enumerate(data.iterrows()):
        fig.add_scatter(
            x=[esc(a), esc(b)],
            y=[row["rank_a"], row["rank_b"]],
            mode="lines+markers+text",
            name=esc(row["run"]),
            text=["", esc(row["run"])],
            textposition="middle right",
            cliponaxis=False,
            line={"color": _colour(colors, row["run"], i), "width": 2},
            hovertemplate="%{x}: rank %{y}<extra>" + esc(row["run"]) + "</extra>",
        )
    n = len(data)
    return _layout(
        fig,
        f"{task}: rank of each run on {a} vs {b}",
        height=max(300, 40 * n + 120),
        yaxis={"autorange": "reversed", "dtick": 1, "title": {"text": "rank"}},
        showlegend=False,
        margin={"r": 160},
    )


def tau_by_language(frame: pd.DataFrame, task: str) -> go.Figure:
    data = frame[frame["task"] == task].sort_values("tau")
    fig = go.Figure(
        go.Scatter(
            x=[esc(lang_label(r)) for _, r in data.iterrows()],
            y=data["tau"].tolist(),
            mode="markers",
            error_y=_errors(data, "tau", "tau_low", "tau_high", 1),
            marker={"size": 9, "color": PALETTE[0]},
            hovertemplate="%{x}<br>τ = %{y:.2f}<extra></extra>",
        )
    )
    ref = data["reference"].iloc[0] if len(data) else "en"
    return _layout(
        fig,
        f"{task}: agreement of run rankings with {ref} (Kendall τ, 95% CI)",
        height=380,
        yaxis={"range": [-1.05, 1.05], "title": {"text": "τ"}},
        xaxis={"tickangle": -45, "automargin": True},
    )


def correlation_scatter(
    languages: pd.DataFrame, x: str, y: str, colors: Mapping[str, str] | None = None
) -> go.Figure:
    fig = go.Figure()
    for i, (run, frame) in enumerate(languages.groupby("run", sort=False)):
        wide = frame.pivot_table(index="language", columns="task", values="value", aggfunc="mean")
        if x not in wide or y not in wide:
            continue
        pair = wide[[x, y]].dropna()
        fig.add_scatter(
            name=esc(run),
            x=(pair[x] * 100).tolist(),
            y=(pair[y] * 100).tolist(),
            mode="markers+text",
            text=[esc(code) for code in pair.index],
            textposition="top center",
            marker={"size": 9, "color": _colour(colors, str(run), i)},
            hovertemplate="%{text}: %{x:.1f} / %{y:.1f}<extra>" + esc(run) + "</extra>",
        )
    return _layout(
        fig,
        f"{x} vs {y}: per-language scores (%)",
        height=420,
        xaxis={"title": {"text": esc(x)}},
        yaxis={"title": {"text": esc(y)}},
    )


def _flag_colors(flags: Sequence[str]) -> list[str]:
    return [
        REGRESSION if f == "regression" else IMPROVEMENT if f == "improvement" else NEUTRAL
        for f in flags
    ]


def comparison_forest(
    languages: pd.DataFrame, benchmarks: pd.DataFrame, task: str, title: str
) -> go.Figure:
    """Relative change per language (and the benchmark macro on top) with CIs; regressions red."""
    data = languages[languages["task"] == task].sort_values("relative", ascending=False)
    bench = benchmarks[benchmarks["task"] == task]
    labels = [esc(lang_label(r)) for _, r in data.iterrows()]
    rows = pd.concat([data, bench], ignore_index=True)
    labels += ["<b>macro (all languages)</b>"] * len(bench)
    fig = go.Figure(
        go.Scatter(
            x=rows["relative"].tolist(),
            y=labels,
            mode="markers",
            error_x=_errors(rows, "relative", "relative_low", "relative_high", 1),
            marker={"size": 9, "color": _flag_colors(rows["flag"].tolist())},
            customdata=np.stack(
                [rows["base"] * 100, rows["other"] * 100, rows["flag"].replace("", "-")], axis=1
            ),
            hovertemplate="%{y}<br>%{x:+.2f}% (base %{customdata[0]:.1f}, other "
            "%{customdata[1]:.1f})<br>%{customdata[2]}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=NEUTRAL, line_width=1)
    return _layout(
        fig,
        title,
        height=max(300, 20 * len(labels) + 140),
        xaxis={"title": {"text": "relative change (%)"}},
        yaxis={"autorange": "reversed"},
        margin={"l": 190},
        showlegend=False,
    )


def comparison_groups(groups: pd.DataFrame, task: str, title: str) -> go.Figure:
    data = groups[groups["task"] == task]
    fig = go.Figure()
    for i, (by, sub) in enumerate(data.groupby("by", sort=False)):
        fig.add_bar(
            name=esc(by),
            x=[f"{esc(by)}: {esc(g)}" for g in sub["group"]],
            y=sub["relative"].tolist(),
            error_y=_errors(sub, "relative", "relative_low", "relative_high", 1),
            marker_color=_flag_colors(sub["flag"].tolist()),
            marker_line={"color": PALETTE[i % len(PALETTE)], "width": 2},
            hovertemplate="%{x}<br>%{y:+.2f}%<extra></extra>",
        )
    return _layout(
        fig,
        title,
        height=380,
        yaxis={"title": {"text": "relative change (%)"}},
        xaxis={"tickangle": -30},
        showlegend=False,
    )
