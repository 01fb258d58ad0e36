"""One self-contained HTML report for a set of runs: plots, tables and a sample browser.

plotly.js is inlined once (no CDN: the file opens offline); each figure is a plotly div. Text
from run folders reaches the page three ways, each escaped: Jinja2 autoescaping for tables and
headings, `figures.esc` for labels inside plots, and `browser.safe_json` for the samples, which
the page renders with textContent only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from globeval import __version__
from globeval.analysis.compare import Comparison, compare_runs
from globeval.analysis.runs import Run, RunError, load_runs
from globeval.analysis.runset import RunSet
from globeval.report import browser, figures
from globeval.report.tables import fmt_ci, languages_wide, write_tables

DEFAULT_SUBSET = ("cultural_sensitivity_label", "CS", "CA")
GROUP_TITLES = {
    "script": "script",
    "latin": "Latin vs non-Latin script",
    "resource_class": "resource class (Joshi et al. 2020)",
}


@dataclass
class ReportOptions:
    title: str | None = None
    baseline: str | None = None  # run name for comparisons; default: the first run
    reference: str = "en"
    subset: tuple[str, str, str] | None = None  # (field, a, b); default: CS vs CA when present
    samples_per_language: int = 20
    n_resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0
    tables_dir: Path | None = None


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    figures: list[str] = field(default_factory=list)  # plotly divs (trusted HTML we generated)
    tables: list[dict[str, Any]] = field(default_factory=list)  # {caption, columns, rows}
    notes: list[str] = field(default_factory=list)
    collapsed: list[tuple[str, str]] = field(default_factory=list)  # (summary, plotly div)


@dataclass
class ReportResult:
    path: Path
    bytes: int
    seconds: float
    figures: int
    samples_shown: int
    samples_total: int
    tables: list[Path]
    notes: list[str]


class _Figures:
    """Turns figures into divs with unique ids; counts them; holds each run's colour."""

    def __init__(self, runs: Sequence[str]) -> None:
        self.count = 0
        self.colors = figures.run_colors(runs)

    def div(self, fig: Any) -> str:
        import plotly.io as pio

        self.count += 1
        html: str = pio.to_html(
            fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"fig{self.count}",
            config={"displaylogo": False, "responsive": True},
        )
        return html


def _table(caption: str, frame: pd.DataFrame, columns: dict[str, str]) -> dict[str, Any]:
    rows = [[_cell(row[c]) for c in columns] for _, row in frame.iterrows()]
    return {"caption": caption, "columns": list(columns.values()), "rows": rows}


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def _pct_ci(frame: pd.DataFrame, v: str, lo: str, hi: str, signed: bool = False) -> list[str]:
    return [
        fmt_ci(a, b, c, signed=signed)
        for a, b, c in zip(frame[v], frame[lo], frame[hi], strict=True)
    ]


def _rel_ci(frame: pd.DataFrame) -> list[str]:
    return [
        fmt_ci(a, b, c, scale=1.0, signed=True) + ("%" if not pd.isna(a) else "")
        for a, b, c in zip(
            frame["relative"], frame["relative_low"], frame["relative_high"], strict=True
        )
    ]


def _runs_section(rs: RunSet) -> Section:
    rows = []
    for run in rs.runs:
        options = run.manifest.get("options") or {}
        for task in run.tasks:
            counts = run.task(task)["counts"]
            other = {
                k: v
                for k, v in counts.items()
                if k not in ("samples", "scored", "ok", "format_errors", "failed") and v
            }
            rows.append(
                [
                    run.name,
                    run.model,
                    task,
                    run.metric(task),
                    # what the task did (a generative-only task ignores the run's default)
                    str(run.task(task).get("formulation") or options.get("formulation", "-")),
                    str(_first(run.task(task).get("num_fewshot"), options.get("num_fewshot"))),
                    str(counts.get("samples", "-")),
                    str(counts.get("scored", "-")),
                    str(counts.get("format_errors", 0)),
                    str(counts.get("failed", 0)),
                    ", ".join(f"{k} {v}" for k, v in other.items()) or "-",
                    str(run.manifest.get("started_at", "-"))[:19],
                ]
            )
    table = {
        "caption": "Every sample is counted: format errors score 0 in total accuracy; failed "
        "samples are left out of means and counted here.",
        "columns": [
            "run",
            "model",
            "task",
            "metric",
            "formulation",
            "shots",
            "samples",
            "scored",
            "format errors",
            "failed",
            "other",
            "started",
        ],
        "rows": rows,
    }
    return Section("runs", "Runs", tables=[table])


def _overview(rs: RunSet, langs: pd.DataFrame, figs: _Figures) -> Section:
    overall = rs.overall()
    macro = overall[overall["level"] == "macro"]
    micro = overall[overall["level"] == "micro"].set_index(["run", "task"])
    rows = []
    for _, row in macro.iterrows():
        mi = (
            micro.loc[(row["run"], row["task"])]
            if (row["run"], row["task"]) in micro.index
            else None
        )
        rows.append(
            [
                row["run"],
                row["model"],
                row["task"],
                row["metric"],
                fmt_ci(row["value"], row["ci_low"], row["ci_high"]),
                fmt_ci(mi["value"], mi["ci_low"], mi["ci_high"]) if mi is not None else "-",
                str(len(langs[(langs["run"] == row["run"]) & (langs["task"] == row["task"])])),
            ]
        )
    section = Section(
        "overview",
        "Overview",
        "Headline metric per run and task: macro = mean of the per-language scores, micro = "
        "pooled over all samples; 95% CIs by bootstrap over items, stratified by language.",
        tables=[
            {
                "caption": "Headline scores (%)",
                "columns": ["run", "model", "task", "metric", "macro", "micro", "languages"],
                "rows": rows,
            }
        ],
    )
    if not langs.empty:
        metrics = ", ".join(sorted(set(langs["metric"])))
        section.figures.append(figs.div(figures.heatmap(langs, metrics)))
    return section


def _per_language(langs: pd.DataFrame, figs: _Figures) -> Section:
    section = Section(
        "languages",
        "Per language",
        "Each language's score with its 95% CI (bootstrap over that language's items). "
        "Languages are sorted by the first run.",
    )
    for task, frame in langs.groupby("task", sort=False):
        section.figures.append(figs.div(figures.language_bars(frame, str(task), figs.colors)))
    return section


def _gap(rs: RunSet, reference: str, figs: _Figures) -> Section | None:
    gap = rs.english_gap(reference)
    if gap.empty:
        return None
    section = Section(
        "gap",
        f"Gap to {reference}",
        f"How much worse (or better) each language does than {reference}, in points "
        f"(language minus {reference}). The macro row averages all other languages. CIs treat "
        "languages as independent samples, which is conservative for translated benchmarks.",
    )
    for task in dict.fromkeys(gap["task"]):
        section.figures.append(figs.div(figures.gap_bars(gap, str(task), reference, figs.colors)))
    macro = gap[gap["level"] == "macro"]
    section.tables.append(
        _table(
            f"Average gap to {reference} (points) and relative gap (%)",
            macro.assign(
                gap_ci=_pct_ci(macro, "gap", "gap_low", "gap_high", signed=True),
                ref=[fmt_ci(v, None, None) for v in macro["reference_value"]],
                avg=[fmt_ci(v, None, None) for v in macro["value"]],
                rel=_rel_ci(macro),
            ),
            {
                "run": "run",
                "task": "task",
                "ref": reference,
                "avg": "other languages (mean)",
                "gap_ci": "gap [95% CI]",
                "rel": "relative",
            },
        )
    )
    return section


def _groups(rs: RunSet, figs: _Figures) -> tuple[Section, pd.DataFrame]:
    section = Section(
        "groups",
        "Scripts and resource levels",
        "Macro averages over the languages in each group. Resource classes follow Joshi et al. "
        "(2020): 0 = left behind, 5 = winners; `globeval languages` lists every assignment.",
    )
    frames = [rs.by_group(by) for by in GROUP_TITLES]
    groups = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    for task in dict.fromkeys(groups["task"]) if not groups.empty else []:
        panels = figures.group_panels(groups, str(task), GROUP_TITLES, figs.colors)
        section.figures.append(figs.div(panels))
    return section, groups


def _subset(
    rs: RunSet, subset: tuple[str, str, str], figs: _Figures
) -> tuple[Section | None, pd.DataFrame]:
    field_name, a, b = subset
    frame = rs.subsets(field_name, a, b)
    if frame.empty:
        return None, frame
    section = Section(
        "subsets",
        f"{a} vs {b} items",
        f"Score on items with {field_name} = {a} minus items with {field_name} = {b}, per "
        "language (points, 95% CI; the two are disjoint sets of items, resampled independently).",
    )
    for task in dict.fromkeys(frame["task"]):
        section.figures.append(figs.div(figures.subset_dots(frame, str(task), figs.colors)))
    macro = frame[frame["level"] == "macro"]
    section.tables.append(
        _table(
            f"{a} vs {b}, macro over languages (%)",
            macro.assign(
                va=[fmt_ci(v, None, None) for v in macro["value_a"]],
                vb=[fmt_ci(v, None, None) for v in macro["value_b"]],
                d=_pct_ci(macro, "diff", "diff_low", "diff_high", signed=True),
            ),
            {"run": "run", "task": "task", "va": a, "vb": b, "d": "difference [95% CI]"},
        )
    )
    return section, frame


def _rankings(
    rs: RunSet, subset: tuple[str, str, str] | None, reference: str, figs: _Figures
) -> tuple[Section | None, dict[str, pd.DataFrame]]:
    if len(rs.runs) < 2:
        return None, {}
    section = Section(
        "rankings",
        "Do rankings change?",
        "Kendall's τ between two rankings of the same runs (1 = same order, -1 = reversed), with "
        "a bootstrap CI over items.",
    )
    out: dict[str, pd.DataFrame] = {}
    if subset:
        field_name, a, _ = subset
        taus, ranks = rs.rank_changes(field_name, None, a)
        if not taus.empty:
            out["rank_changes"] = ranks
            out["rank_tau"] = taus
            for task in dict.fromkeys(ranks["task"]):
                section.figures.append(figs.div(figures.rank_slopes(ranks, str(task), figs.colors)))
            section.tables.append(
                _table(
                    f"Ranking on all items vs on {a} items",
                    taus.assign(
                        ci=[
                            f"[{lo:.2f}, {hi:.2f}]"
                            for lo, hi in zip(taus["tau_low"], taus["tau_high"], strict=True)
                        ]
                    ),
                    {
                        "task": "task",
                        "a": "ranking A",
                        "b": "ranking B",
                        "tau": "τ",
                        "ci": "95% CI",
                        "n_runs": "runs",
                        "n_languages": "languages",
                    },
                )
            )
    by_lang = rs.rank_by_language(reference)
    if not by_lang.empty:
        out["rank_by_language"] = by_lang
        for task in dict.fromkeys(by_lang["task"]):
            section.figures.append(figs.div(figures.tau_by_language(by_lang, str(task))))
    if not section.figures:
        section.notes.append(
            "Rank agreement needs at least two runs with per-sample files (three for "
            "agreement between languages)."
        )
    return section, out


def _correlations(
    rs: RunSet, langs: pd.DataFrame, figs: _Figures
) -> tuple[Section | None, pd.DataFrame]:
    corr = rs.correlations()
    if corr.empty:
        return None, corr
    section = Section(
        "correlation",
        "Do benchmarks agree?",
        "Per-language scores of two benchmarks in the same run, over the languages both cover: "
        "Pearson's r (95% CI by Fisher's z) and Spearman's ρ.",
    )
    for x, y in dict.fromkeys(zip(corr["task_x"], corr["task_y"], strict=True)):
        section.figures.append(
            figs.div(figures.correlation_scatter(langs, str(x), str(y), figs.colors))
        )
    section.tables.append(
        _table(
            "Correlation between benchmarks across languages",
            corr.assign(
                ci=[
                    f"[{lo:.2f}, {hi:.2f}]"
                    for lo, hi in zip(corr["pearson_low"], corr["pearson_high"], strict=True)
                ]
            ),
            {
                "run": "run",
                "task_x": "benchmark x",
                "task_y": "benchmark y",
                "n_languages": "languages",
                "pearson": "Pearson r",
                "ci": "95% CI",
                "spearman": "Spearman ρ",
            },
        )
    )
    return section, corr


def _comparisons(
    runs: Sequence[Run], baseline: Run, opts: ReportOptions, figs: _Figures
) -> tuple[Section | None, list[Comparison]]:
    others = [r for r in runs if r is not baseline and set(r.tasks) & set(baseline.tasks)]
    if not others:
        return None, []
    section = Section(
        "comparisons",
        f"Compared with {baseline.name}",
        "Relative change 100·(other − base)/base per language, on the items both runs scored, "
        "with paired bootstrap 95% CIs. Red: significant regression (the CI of the change lies "
        "below 0); green: significant improvement. `globeval compare` prints the same numbers.",
    )
    results = []
    rows = []
    for i, other in enumerate(others):
        comp = compare_runs(baseline, other, opts.n_resamples, opts.confidence, opts.seed)
        results.append(comp)
        for note in comp.notes:
            section.notes.append(f"{other.name}: {note}")
        for task in dict.fromkeys(comp.languages["task"]) if not comp.languages.empty else []:
            title = f"{task}: {other.name} vs {baseline.name}, relative change per language"
            forest = figs.div(
                figures.comparison_forest(comp.languages, comp.benchmarks, str(task), title)
            )
            grouped = figs.div(
                figures.comparison_groups(
                    comp.groups, str(task), f"{task}: {other.name} vs {baseline.name} by group"
                )
            )
            if i == 0:
                section.figures += [forest, grouped]
            else:
                section.collapsed.append((title, forest + grouped))
        for _, row in comp.benchmarks.iterrows():
            n_reg = int(
                (
                    (comp.languages["task"] == row["task"])
                    & (comp.languages["flag"] == "regression")
                ).sum()
            )
            rows.append(
                [
                    other.name,
                    row["task"],
                    fmt_ci(row["base"], None, None),
                    fmt_ci(row["other"], None, None),
                    fmt_ci(row["relative"], row["relative_low"], row["relative_high"], 1.0, True)
                    + "%",
                    row["flag"] or "-",
                    str(n_reg),
                    str(int(row["n"])),
                ]
            )
    section.tables.append(
        {
            "caption": f"Per benchmark, macro over languages, against {baseline.name}",
            "columns": [
                "run",
                "task",
                "base %",
                "other %",
                "relative [95% CI]",
                "flag",
                "languages regressed",
                "items compared",
            ],
            "rows": rows,
        }
    )
    return section, results


def _methods(rs: RunSet, bdata: browser.BrowserData, opts: ReportOptions) -> Section:
    notes = [
        f"Bootstrap: {opts.n_resamples} resamples, {100 * opts.confidence:g}% percentile "
        f"intervals, seed {opts.seed}.",
        "Group, gap and ranking CIs resample items within each language; where a task's headline "
        "metric is not a mean of per-sample scores, that language's CI from the run summary is "
        "used (normal approximation).",
    ]
    for run in rs.runs:
        for task in run.tasks:
            if rs.has_items(run, task) and not rs.is_sample_mean(run, task):
                notes.append(
                    f"{run.name} / {task}: the headline metric is not the mean of per-sample "
                    "scores; groupings use the summary's CIs, comparisons the per-sample scores."
                )
            if not rs.has_items(run, task):
                notes.append(f"{run.name} / {task}: no samples file; sample-level views skip it.")
    notes.append(
        f"The sample browser carries {bdata.shown:,} of {bdata.total:,} samples "
        f"(up to {opts.samples_per_language} per run, task and language; failed and unparsed "
        "samples first). All samples are in each run's samples/<task>.parquet."
    )
    return Section("methods", "How these numbers were computed", notes=notes)


def _template() -> Any:
    import jinja2

    source = (resources.files("globeval.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source)


def build_report(
    runs: Sequence[Path | str] | Sequence[Run], output: Path, opts: ReportOptions | None = None
) -> ReportResult:
    """Analyse the runs and write the report (and the tables, when opts.tables_dir is set)."""
    import markupsafe
    import plotly.offline

    opts = opts or ReportOptions()
    t0 = time.perf_counter()
    loaded = [r for r in runs if isinstance(r, Run)]
    if len(loaded) != len(runs):
        loaded = load_runs([r for r in runs if not isinstance(r, Run)])
    rs = RunSet(loaded, opts.n_resamples, opts.confidence, opts.seed)
    baseline = rs.run(opts.baseline) if opts.baseline else rs.runs[0]
    figs = _Figures([r.name for r in rs.runs])
    langs = rs.languages()
    subset = opts.subset or DEFAULT_SUBSET

    sections: list[Section] = [_runs_section(rs), _overview(rs, langs, figs)]
    if not langs.empty:
        sections.append(_per_language(langs, figs))
    gap_section = _gap(rs, opts.reference, figs)
    if gap_section:
        sections.append(gap_section)
    group_section, groups = _groups(rs, figs)
    sections.append(group_section)
    subset_section, subsets = _subset(rs, subset, figs)
    if subset_section:
        sections.append(subset_section)
    rank_section, ranks = _rankings(rs, subset if subset_section else None, opts.reference, figs)
    if rank_section:
        sections.append(rank_section)
    corr_section, corr = _correlations(rs, langs, figs)
    if corr_section:
        sections.append(corr_section)
    comp_section, comparisons = _comparisons(rs.runs, baseline, opts, figs)
    if comp_section:
        sections.append(comp_section)
    bdata = browser.collect(rs, opts.samples_per_language)
    sections.append(_methods(rs, bdata, opts))

    def safe(items: list[str]) -> list[Any]:
        return [markupsafe.Markup(x) for x in items]

    page = _template().render(
        title=opts.title or f"globeval report: {', '.join(r.name for r in rs.runs)}",
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        runs=[r.name for r in rs.runs],
        tasks=rs.tasks,
        sections=[
            {
                **s.__dict__,
                "figures": safe(s.figures),
                "collapsed": [(t, markupsafe.Markup(d)) for t, d in s.collapsed],
            }
            for s in sections
        ],
        plotly_js=markupsafe.Markup(plotly.offline.get_plotlyjs()),
        samples_json=markupsafe.Markup(bdata.payload),
        samples_shown=bdata.shown,
        samples_total=bdata.total,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(output)

    written: list[Path] = []
    if opts.tables_dir is not None:
        tables = _tables(langs, rs, groups, subsets, ranks, corr, comparisons, opts.reference)
        written = write_tables(opts.tables_dir, tables)
    notes = [n for s in sections if s.id != "methods" for n in s.notes]
    return ReportResult(
        output,
        output.stat().st_size,
        time.perf_counter() - t0,
        figs.count,
        bdata.shown,
        bdata.total,
        written,
        notes,
    )


def _tables(
    langs: pd.DataFrame,
    rs: RunSet,
    groups: pd.DataFrame,
    subsets: pd.DataFrame,
    ranks: dict[str, pd.DataFrame],
    corr: pd.DataFrame,
    comparisons: list[Comparison],
    reference: str,
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    out: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    out["languages"] = (langs, languages_wide(langs))
    overall = rs.overall()
    out["overall"] = (
        overall,
        overall.assign(score=_pct_ci(overall, "value", "ci_low", "ci_high"))[
            ["run", "model", "task", "metric", "level", "score", "n"]
        ],
    )
    gap = rs.english_gap(reference)
    if not gap.empty:
        out["gap"] = (
            gap,
            gap.assign(
                gap_pts=_pct_ci(gap, "gap", "gap_low", "gap_high", signed=True), rel=_rel_ci(gap)
            )[["run", "task", "level", "language", "value", "reference_value", "gap_pts", "rel"]],
        )
    if not groups.empty:
        out["groups"] = (
            groups,
            groups.assign(score=_pct_ci(groups, "value", "ci_low", "ci_high"))[
                ["run", "task", "by", "group", "score", "n_languages", "languages"]
            ],
        )
    if not subsets.empty:
        out["subsets"] = (
            subsets,
            subsets.assign(diff_pts=_pct_ci(subsets, "diff", "diff_low", "diff_high", signed=True))[
                ["run", "task", "level", "language", "a", "b", "value_a", "value_b", "diff_pts"]
            ],
        )
    for name, frame in ranks.items():
        out[name] = (frame, frame)
    if not corr.empty:
        out["correlations"] = (corr, corr.drop(columns=["languages"]))
    if comparisons:
        frames = [
            c.all_rows().assign(base_run=c.base.name, other_run=c.other.name) for c in comparisons
        ]
        tidy = pd.concat(frames, ignore_index=True)
        label = tidy.get("language", pd.Series([""] * len(tidy))).fillna("")
        if "group" in tidy:
            label = label.where(
                tidy["level"] != "group", tidy["by"].astype(str) + ": " + tidy["group"].astype(str)
            )
        formatted = tidy.assign(
            where=label,
            rel=_rel_ci(tidy),
            base_pct=[fmt_ci(v, None, None) for v in tidy["base"]],
            other_pct=[fmt_ci(v, None, None) for v in tidy["other"]],
        )[
            [
                "other_run",
                "base_run",
                "task",
                "level",
                "where",
                "base_pct",
                "other_pct",
                "rel",
                "flag",
            ]
        ]
        out["comparisons"] = (tidy, formatted)
    return out


__all__ = ["ReportOptions", "ReportResult", "RunError", "build_report"]


def _first(*values: Any) -> Any:
    """The first value that is not None, else '-'."""
    return next((v for v in values if v is not None), "-")
