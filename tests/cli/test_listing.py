from __future__ import annotations

from tests.cli.helpers import globeval


def test_tasks_lists_every_task_and_details_one() -> None:
    proc = globeval("tasks")
    assert proc.returncode == 0
    for name in ("global_mmlu", "global_mmlu_lite", "include", "include_lite"):
        assert name in proc.stdout
    detail = globeval("tasks", "include")
    assert "CohereForAI/include-base-44" in detail.stdout
    assert "instruction_language" in detail.stdout and "North Macedonian" in detail.stdout


def test_models_lists_backends_and_embedded_models() -> None:
    proc = globeval("models")
    assert proc.returncode == 0
    assert 'pip install "globeval[llama]"' in proc.stdout
    assert "gemma-3-270m" in proc.stdout and "smollm2-135m-instruct" in proc.stdout


def test_help_and_version() -> None:
    assert "--apply-chat-template" in globeval("run", "--help").stdout
    assert globeval("--version").stdout.startswith("globeval ")
