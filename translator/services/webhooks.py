"""The webhooks channel of the outbox (services/outbox.py). Not written yet: it plans nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from translator.models import Event
from translator.services.outbox import Channel, Planned, Sending


def plan(session: Session, config: dict[str, Any], event: Event) -> list[Planned]:
    return []


def send(sending: Sending) -> None:
    raise NotImplementedError


CHANNEL = Channel("webhook", plan, send)
