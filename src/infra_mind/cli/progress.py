"""A rich progress bar per agent, driven by the run's events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from infra_mind.domain.events import Event, EventType

_DONE = {
    EventType.AGENT_COMPLETED: "[green]done[/green]",
    EventType.AGENT_FAILED: "[red]failed[/red]",
    EventType.AGENT_TIMED_OUT: "[red]timed out[/red]",
}


class AgentProgress:
    def __init__(self, console: Console, agents: list[str]) -> None:
        self._progress = Progress(
            TextColumn("{task.fields[agent]:<16}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {
            name: self._progress.add_task(name, total=100, agent=name, state="queued", start=False)
            for name in agents
        }

    async def follow(self, events: AsyncIterator[Event]) -> None:
        with self._progress:
            async for event in events:
                self.apply(event)

    def apply(self, event: Event) -> None:
        task = self._tasks.get(event.agent or "")
        if task is None:
            if event.type is EventType.PHASE_STARTED:
                self._progress.console.print(f"[dim]phase {event.phase}[/dim]")
            return
        if event.type is EventType.AGENT_STARTED:
            self._progress.start_task(task)
            self._progress.update(task, state="running")
        elif event.type is EventType.AGENT_PROGRESS:
            self._progress.update(
                task, completed=event.data["pct"], state=event.data.get("message", "running")
            )
        elif event.type is EventType.AGENT_RETRYING:
            self._progress.update(task, state=f"[yellow]retry {event.data['attempt']}[/yellow]")
        elif event.type in _DONE:
            self._progress.update(task, completed=100, state=_DONE[event.type])
            self._progress.stop_task(task)
