"""Tasks by name, imported lazily: listing tasks must not import every benchmark's dependencies."""

from __future__ import annotations

import importlib

from globeval.tasks.base import RunOptions, Task

#: task name -> "module:Class"
TASKS: dict[str, str] = {
    "global_mmlu": "globeval.tasks.global_mmlu:GlobalMMLU",
    "global_mmlu_lite": "globeval.tasks.global_mmlu:GlobalMMLULite",
    "include": "globeval.tasks.include:Include",
    "include_lite": "globeval.tasks.include:IncludeLite",
    "m_arenahard": "globeval.tasks.m_arenahard:MArenaHard",
    "aya_redteaming": "globeval.tasks.aya_redteaming:AyaRedTeaming",
    "m_rewardbench": "globeval.tasks.m_rewardbench:MRewardBench",
    "m_rewardbench_translation": "globeval.tasks.m_rewardbench:MRewardBenchTranslation",
    "rewardbench": "globeval.tasks.m_rewardbench:RewardBench",
    "lcb": "globeval.tasks.lcb:LanguageConfusion",
}


class UnknownTask(KeyError):
    pass


def task_class(name: str) -> type[Task]:
    if name not in TASKS:
        raise UnknownTask(f"unknown task {name!r}; known: {', '.join(sorted(TASKS))}")
    module_name, _, class_name = TASKS[name].partition(":")
    cls: type[Task] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create_task(name: str, options: RunOptions) -> Task:
    return task_class(name)(options)
