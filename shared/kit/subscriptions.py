"""A service's inbound events: one typed handler per contract event it consumes.

Each service's `entrypoints/events.py` declares its subscriptions when it is imported:

    subscriptions = Subscriptions[NotifierApplication]("notifier")

    @subscriptions.on(EmailBound)
    def email_bound(app, session, payload: EmailBound, event: CloudEvent) -> None: ...

What a service consumes is read off these handlers and nowhere else: the inbox's topics
(`topics`), the AsyncAPI document's receive operations (`declare`: one typed FastStream
subscriber per event) and, through a test, the registry the Kafka ACLs are granted from
(shared/events/topics.py CONSUMERS). `bind(context)` gives the inbox its handler; the context is
what the service's bootstrap built for the handlers (its application, its material reviewer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from sqlalchemy.orm import Session

from shared.events.envelope import CloudEvent
from shared.events.topics import BY_MODEL
from shared.kit.inbox import Delivery, Handler

Context = TypeVar("Context")
EventHandler = Callable[[Any, Session, Any, CloudEvent], None]
F = TypeVar("F", bound=EventHandler)


class Subscriptions(Generic[Context]):
    def __init__(self, service: str) -> None:
        self.service = service
        self.handlers: dict[type[BaseModel], EventHandler] = {}

    def on(self, model: type[BaseModel]) -> Callable[[F], F]:
        """Register the handler of one contract event (one handler per event)."""
        if model not in BY_MODEL:
            raise ValueError(f"{model.__name__} is not a contract event")

        def register(handler: F) -> F:
            if model in self.handlers:
                raise ValueError(f"{self.service} already handles {model.__name__}")
            self.handlers[model] = handler
            return handler

        return register

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics the service's consumer group reads."""
        return tuple(BY_MODEL[model].topic for model in self.handlers)

    def bind(self, context: Context) -> Handler:
        """The inbox's handler: each admitted delivery to the handler of its payload's type."""
        handlers = dict(self.handlers)

        def handle(session: Session, delivery: Delivery) -> None:
            handler = handlers.get(type(delivery.payload))
            if handler is not None:
                handler(context, session, delivery.payload, delivery.event)

        return handle

    def declare(self, broker: KafkaBroker, group: str) -> None:
        """Each subscription as a typed FastStream subscriber of `broker`, for AsyncAPI.

        The broker is a specification's and is never started: at run time the inbox reads all of
        a service's topics with one batch subscriber (shared/kit/inbox.py), because one
        transaction per batch across topics is what makes a complaint cheap."""
        for model, handler in self.handlers.items():
            contract = BY_MODEL[model]
            subscriber = broker.subscriber(
                contract.topic,
                group_id=group,
                title=f"{self.service}Receive{contract.name}",
                description=(handler.__doc__ or "").strip() or None,
            )
            subscriber(_typed(model))


def _typed(model: type[BaseModel]) -> Callable[..., Any]:
    async def receive(data: Any) -> None:
        """Never called: the specification broker does not start."""

    receive.__annotations__ = {"data": model, "return": None}  # FastStream reads the type here
    return receive
