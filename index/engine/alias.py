"""The index behind the alias: template, creation, mapping version, and upgrades by copying.

``<alias>`` always points at one write index ``<alias>-v<N>`` made from the template
``<alias>-template``. Raising MAPPING_VERSION (index/engine/mapping.py) and calling
upgrade_index() copies every document into ``<alias>-v<N>`` and swaps the alias in one atomic
``_aliases`` call, so searches never stop.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from index.engine.bulk import RetryPolicy, make_action, send_chunk
from index.engine.client import EngineClient, EngineConfig, EngineRequestError
from index.engine.mapping import concrete_index, from_source, index_template
from schema.document import Document

COPY_BATCH = 500


def install_template(client: EngineClient, config: EngineConfig) -> None:
    """PUT the template unless the installed one has the same fingerprint."""
    template = index_template(config.alias, config.shards, config.replicas)
    name = f"{config.alias}-template"
    answer = client.request("GET", f"/_index_template/{name}", missing_ok=True)
    if (
        answer
        and answer["index_templates"][0]["index_template"].get("_meta", {}).get("fingerprint")
        == template["_meta"]["fingerprint"]
    ):
        return
    client.request("PUT", f"/_index_template/{name}", template)


def alias_target(client: EngineClient, alias: str) -> str | None:
    """The write index behind the alias, or None if the alias does not exist."""
    answer = client.request("GET", f"/_alias/{alias}", missing_ok=True)
    if not answer:
        return None
    writers: list[str] = [name for name, data in answer.items() if data["aliases"][alias].get("is_write_index", True)]
    target: str = (writers or sorted(answer))[0]
    return target


def point_alias(client: EngineClient, alias: str, index: str, previous: str | None = None) -> None:
    actions: list[dict[str, Any]] = []
    if previous:
        actions.append({"remove": {"index": previous, "alias": alias}})
    actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
    client.request("POST", "/_aliases", {"actions": actions})


def wait_for_index(client: EngineClient, index: str) -> None:
    client.request("GET", f"/_cluster/health/{index}", params={"wait_for_status": "yellow", "timeout": "30s"})


def create_index(client: EngineClient, index: str, body: dict[str, Any]) -> bool:
    """PUT the index; False when another process created it first."""
    try:
        client.request("PUT", f"/{index}", body)
    except EngineRequestError as exc:
        if exc.error_type != "resource_already_exists_exception":
            raise
        return False
    return True


def ensure_alias(client: EngineClient, config: EngineConfig) -> None:
    install_template(client, config)
    if alias_target(client, config.alias) is not None:
        return
    index = concrete_index(config.alias)
    if not create_index(client, index, {"aliases": {config.alias: {"is_write_index": True}}}):
        point_alias(client, config.alias, index)  # another process created it first
    wait_for_index(client, index)


def mapping_version(client: EngineClient, alias: str) -> int:
    index = alias_target(client, alias)
    if index is None:
        return 0
    answer = client.request("GET", f"/{index}/_mapping")
    return int(answer[index]["mappings"].get("_meta", {}).get("mapping_version", 0))


def search_pages(client: EngineClient, index: str, body: dict[str, Any], size: int) -> Iterator[dict[str, Any]]:
    """Every hit of a sorted search, `size` at a time, by search_after."""
    page: dict[str, Any] = {**body, "size": size}
    while True:
        hits = client.request("POST", f"/{index}/_search", page)["hits"]["hits"]
        yield from hits
        if len(hits) < size:
            return
        page["search_after"] = hits[-1]["sort"]


def scan(client: EngineClient, index: str, batch_size: int) -> Iterator[Document]:
    """Every document of an index, in id order."""
    body = {"sort": [{"id": "asc"}], "query": {"match_all": {}}}
    for hit in search_pages(client, index, body, batch_size):
        yield from_source(hit["_source"])


def upgrade_index(client: EngineClient, config: EngineConfig, retry: RetryPolicy, delete_old: bool = True) -> None:
    """Copy the alias's documents into an index with the current mapping; swap the alias.

    Writes made during the copy land in the old index; a second, create-only pass after the
    swap carries over documents added meanwhile without overwriting newer copies.
    """
    install_template(client, config)
    old = alias_target(client, config.alias)
    new = concrete_index(config.alias)
    if old == new:
        return
    client.request("PUT", f"/{new}")
    wait_for_index(client, new)
    if old is not None:
        _copy(client, old, new, "index", retry)
    point_alias(client, config.alias, new, old)
    if old is not None:
        _copy(client, old, new, "create", retry)
        if delete_old:
            client.request("DELETE", f"/{old}")
    client.request("POST", f"/{new}/_refresh")


def _copy(client: EngineClient, source: str, target: str, op_type: str, retry: RetryPolicy) -> None:
    client.request("POST", f"/{source}/_refresh")
    documents = scan(client, source, COPY_BATCH)
    while batch := list(islice(documents, COPY_BATCH)):
        outcome = send_chunk(client, [make_action(target, document, op_type) for document in batch], retry)
        lost = [f for f in outcome.failures if f.reason != "version_conflict_engine_exception"]
        if lost or outcome.undelivered:
            raise RuntimeError(
                f"copying {source} to {target} failed for {len(lost) + len(outcome.undelivered)} documents"
            )
