"""The ACLs of the local production Kafka, from the topic registry, and the broker's
readiness for groups.

aiokafka's admin client has no ACL API, only the protocol structs: the requests
are built on them here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
    for_code,
)
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request

from deploy.apache_kafka import SERVICES, TAKEDOWN, VERDICTS
from deploy.daemon import DeployError
from shared.events.topics import consumed_by, dlq_topic, published_by

# ACLs: the wire codes of Kafka's ResourceType, PatternType, AclOperation and AclPermissionType
TOPIC, GROUP = 2, 3
LITERAL, PREFIXED = 3, 4
READ = 3
WRITE = 4
CREATE = 5
DESCRIBE = 8
ANY, ALLOW = 1, 3


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW binding: `principal` may do `operation` on a resource, from any host."""

    principal: str
    resource_type: int
    name: str
    pattern: int
    operation: int
    host: str = "*"
    permission: int = ALLOW


def _grants(
    principal: str, resource_type: int, names, operations, pattern: int = LITERAL
) -> set[Acl]:
    return {
        Acl(f"User:{principal}", resource_type, name, pattern, op)
        for name in names
        for op in operations
    }


def acl_bindings() -> set[Acl]:
    """What each principal may do, from the topic registry: a service writes what it publishes and
    its own dead letters, reads what its group consumes, and creates (and sees) the `ipp.` topics
    on start; the takedown principal reads the verdicts. (Write on a topic also allows the
    idempotent producer.)"""
    acls: set[Acl] = set()
    for service in SERVICES:
        user = f"ipp-{service}"
        acls |= _grants(user, TOPIC, [*published_by(service), dlq_topic(user)], (WRITE, DESCRIBE))
        acls |= _grants(user, TOPIC, consumed_by(service), (READ, DESCRIBE))
        acls |= _grants(user, GROUP, [user], (READ,))
        acls |= _grants(user, TOPIC, ["ipp."], (CREATE, DESCRIBE), PREFIXED)
    acls |= _grants(TAKEDOWN, TOPIC, [VERDICTS], (READ, DESCRIBE))
    acls |= _grants(TAKEDOWN, GROUP, ["takedown"], (READ,), PREFIXED)
    return acls


def _bindings_request(name: str, api_key: int, struct: type) -> type:
    """A v1 ACL request over any number of bindings (aiokafka's own builders send one; Kafka
    4 dropped v0). aiokafka wants exactly one generic base per request class, hence a class
    per API made here."""

    class Bindings(Request[struct]):  # type: ignore[valid-type]
        API_KEY = api_key

        def __init__(self, acls: list[Acl]) -> None:
            self.acls = acls

        def build(self, request_struct_class: type) -> Any:
            return request_struct_class([_row(acl) for acl in self.acls])

    Bindings.__name__ = Bindings.__qualname__ = name  # what a failure says it was
    return Bindings


_CreateAcls = _bindings_request("CreateAcls", 30, CreateAclsRequest_v1)
_DeleteAcls = _bindings_request(
    "DeleteAcls", 31, DeleteAclsRequest_v1
)  # one exact filter per binding


class _DescribeAllAcls(Request[DescribeAclsRequest_v1]):
    """DescribeAcls v1 matching every binding."""

    API_KEY = 29

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> DescribeAclsRequest_v1:
        return request_struct_class(ANY, None, ANY, None, None, ANY, ANY)


def _row(acl: Acl) -> tuple:
    return (
        acl.resource_type,
        acl.name,
        acl.pattern,
        acl.principal,
        acl.host,
        acl.operation,
        acl.permission,
    )


async def _acl_call(admin: AIOKafkaAdminClient, request: Request) -> Any:
    response = await admin._send_request(
        request
    )  # aiokafka's admin client has no ACL API, only the structs
    codes = [getattr(response, "error_code", 0)]
    for field in ("creation_responses", "filter_responses"):
        codes += [entry[0] for entry in getattr(response, field, ())]
    if any(codes):
        error = for_code(next(code for code in codes if code))
        raise DeployError(
            f"{type(request).__name__.lstrip('_')} failed: {error.__name__}: {response}"
        )
    return response


async def sync_acls(options: dict[str, Any]) -> tuple[int, int]:
    """Make the ACLs of the IPP principals exactly acl_bindings(), as a super user: create
    what is missing, delete what is no longer wanted, leave other principals' ACLs alone;
    (created, deleted)."""
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=15000)
    await admin.start()
    try:
        described = await _acl_call(admin, _DescribeAllAcls())
        existing = {
            Acl(principal, kind, name, pattern, operation, host, permission)
            for kind, name, pattern, entries in described.resources
            for principal, host, operation, permission in entries
        }
        wanted = acl_bindings()
        managed = {acl.principal for acl in wanted}
        stale = sorted(acl for acl in existing - wanted if acl.principal in managed)
        missing = sorted(wanted - existing)
        if stale:
            await _acl_call(admin, _DeleteAcls(stale))
        if missing:
            await _acl_call(admin, _CreateAcls(missing))
        return len(missing), len(stale)
    finally:
        await admin.close()


async def await_group_coordinator(options: dict[str, Any], timeout: float = 60.0) -> None:
    """Wait until consumer groups work: the first FindCoordinator makes the broker create
    __consumer_offsets, whose 50 partitions take seconds to load, longer than a service waits for an
    event it expects."""
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=15000)
    await admin.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                await admin.find_coordinator("ipp-stack-ready")
                return
            except (
                CoordinatorNotAvailableError,
                CoordinatorLoadInProgressError,
                NotCoordinatorError,
            ):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)
    finally:
        await admin.close()


def provision(options: dict[str, Any], timeout: float = 120.0) -> None:
    """Once the broker answers (on every `up`): bring the ACLs in line, then wait for the
    group coordinator."""

    async def both() -> None:
        await sync_acls(options)
        await await_group_coordinator(options)

    asyncio.run(asyncio.wait_for(both(), timeout))
