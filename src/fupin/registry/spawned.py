"""Entry points of processes spawned by the registry (``registry.synth``): a spawned process unpickles its task
before anything else runs, so the task names a function here, which sets Django up before importing the models."""

from __future__ import annotations

from typing import Any


def synth_provinces(args: tuple[Any, ...]) -> dict[str, int]:
    """``synth._run`` on plain arguments (villages, counts, chunks, chunk numbers, seed, directory, time)."""
    import django

    django.setup()
    from fupin.registry import synth

    villages, counts, chunks, numbers, seed, directory, now = args
    return synth._run(synth.Plan(villages, counts, chunks), numbers, seed, directory, now)
