"""Benchmarks: one module per benchmark, each a loader into a sample type plus a protocol."""

from globeval.tasks.base import RunOptions, Sample, Scored, Task
from globeval.tasks.registry import TASKS, create_task, task_class

__all__ = ["TASKS", "RunOptions", "Sample", "Scored", "Task", "create_task", "task_class"]
