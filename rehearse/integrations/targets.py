"""The table of ticket services, and `SERVICE:WHERE` read into a Target."""

from __future__ import annotations

from rehearse.errors import BadInputError
from rehearse.integrations.api import Service, Target
from rehearse.integrations.azure import Azure
from rehearse.integrations.github import GitHub
from rehearse.integrations.gitlab import GitLab
from rehearse.integrations.jira import Jira

TARGETS: dict[str, Service] = {s.name: s for s in (GitHub(), GitLab(), Jira(), Azure())}
EXAMPLES = "github:acme/shop#42, gitlab:acme/shop!7, jira:SHOP-42 or azure:acme/Shop#42"


def parse(text: str) -> tuple[Service, Target]:
    name, colon, rest = text.strip().partition(":")
    service = TARGETS.get(name.lower()) if colon else None
    if service is None:
        raise BadInputError(f"{text!r} names no ticket: it starts with one of "
                            f"{', '.join(f'{n}:' for n in TARGETS)}", hint=f"e.g. {EXAMPLES}")
    target = service.target(text.strip(), rest)
    if target is None:
        raise BadInputError(f"{text!r} is not a valid {service.name} ticket",
                            hint=f"write it like {service.example}")
    return service, target


def check(text: str) -> str:
    """For the scenario: the same reading, as a ValueError."""
    try:
        parse(text)
    except BadInputError as error:
        raise ValueError(f"{error.message} ({error.hint})") from None
    return text
