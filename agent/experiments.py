"""Which agent version answers a new conversation: the active experiment's split, sticky per conversation.

Assignment hashes the conversation's random public id with the experiment's name, so it is uniform, stable
(a conversation always lands in the same arm, even if assigned again) and independent between experiments.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from agent.config import config
from agent.models import AgentVersion, Conversation, Experiment


@dataclass(frozen=True)
class ActiveExperiment:
    experiment: Experiment
    arms: tuple[tuple[AgentVersion, int], ...]  # (version, weight), in a fixed order


def active_experiment() -> ActiveExperiment | None:
    """The running experiment and its arms (kept with the rest of the per-run configuration)."""
    return config.get("active_experiment", _load_active)


def _load_active() -> ActiveExperiment | None:
    experiment = Experiment.objects.filter(is_active=True).first()
    if experiment is None:
        return None
    arms = tuple((arm.agent_version, arm.weight) for arm in experiment.arms.select_related("agent_version"))
    return ActiveExperiment(experiment, arms)


def uniform(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts`: the same parts always give the same number."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(conversation: Conversation) -> None:
    """Set the new (unsaved) conversation's experiment, agent version and ramp, from the active experiment."""
    active = active_experiment()
    if active is None:
        return
    experiment = active.experiment
    conversation.experiment = experiment
    if uniform(experiment.name, "ramp", conversation.public_id) >= experiment.agent_share:
        conversation.human_only = True
        return
    total = sum(weight for _, weight in active.arms)
    if total == 0:
        return
    draw = uniform(experiment.name, "arm", conversation.public_id) * total
    for version, weight in active.arms:
        if draw < weight:
            conversation.agent_version = version
            return
        draw -= weight
