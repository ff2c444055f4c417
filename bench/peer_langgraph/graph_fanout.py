"""The peer's side of the fan-out comparison, run by the peer venv's Python (it imports nothing from the
project): a LangGraph StateGraph with one node per agent, every node wired from START, so LangGraph runs
them in one parallel step; each node makes one chat-completion call with the openai SDK to the mock LLM
server, sending the request body our own agent sent for the same agent.

Protocol over stdin/stdout, one JSON object a line: the parent writes the configuration
({"base_url", "agent_header", "timeout_s", "calls": [{"agent", "body"}]}); this prints
{"ready": true, "langgraph": VERSION}; then for each line "run" it invokes the compiled graph once and
prints {"wall_s", "replies"}. The graph is compiled once, as an application would; the wall is the
ainvoke alone. It ends at end of input.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from openai import AsyncOpenAI


def merge(left: dict[str, str], right: dict[str, str]) -> dict[str, str]:
    return {**left, **right}


class FanOutState(TypedDict):
    replies: Annotated[dict[str, str], merge]


def ask(
    client: AsyncOpenAI, agent: str, body: dict[str, Any], header: str
) -> Callable[[FanOutState], Awaitable[dict[str, dict[str, str]]]]:
    async def node(state: FanOutState) -> dict[str, dict[str, str]]:
        completion = await client.chat.completions.create(**body, extra_headers={header: agent})
        return {"replies": {agent: completion.choices[0].message.content or ""}}

    return node


def build(client: AsyncOpenAI, calls: list[dict[str, Any]], header: str) -> Any:
    graph = StateGraph(FanOutState)
    for call in calls:
        graph.add_node(call["agent"], ask(client, call["agent"], call["body"], header))
        graph.add_edge(START, call["agent"])
        graph.add_edge(call["agent"], END)
    return graph.compile()


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve() -> None:
    config = json.loads(sys.stdin.readline())
    client = AsyncOpenAI(
        base_url=config["base_url"], api_key="mock", max_retries=0, timeout=config["timeout_s"]
    )
    app = build(client, config["calls"], config["agent_header"])
    emit({"ready": True, "langgraph": version("langgraph")})
    while (await asyncio.to_thread(sys.stdin.readline)).strip() == "run":
        started = time.perf_counter()
        state = await app.ainvoke({"replies": {}})
        wall_s = time.perf_counter() - started
        replies = {agent: json.loads(text) for agent, text in state["replies"].items()}
        emit({"wall_s": wall_s, "replies": len(replies)})
    await client.close()


if __name__ == "__main__":
    asyncio.run(serve())
