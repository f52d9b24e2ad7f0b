"""TicketsAPI: the ticket commands and queries every face calls (TUI, CLI, headless, demo)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtorrentino.domain.states import TicketState
from qtorrentino.domain.ticket_json import specs_from_json
from qtorrentino.tickets import queries

if TYPE_CHECKING:
    import builtins
    from collections.abc import Iterable, Sequence

    from qtorrentino.domain.ticket import TicketKind, TicketSpec
    from qtorrentino.engine.core import Core
    from qtorrentino.tickets.creation import Created
    from qtorrentino.tickets.views import TicketDetail, TicketSummary
    from qtorrentino.tickets.wanted import WantedView


class TicketsAPI:
    """Ticket commands and queries; thread-safe, one transaction a call; never on a UI loop."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def add(self, spec: TicketSpec, *, actor: str) -> Created:
        return self._core.creator.add(spec, actor=actor)

    def add_json(self, value: Any, *, actor: str) -> list[Created]:
        """File the tickets of a JSON object or list; all are validated before any is filed."""
        return [self.add(spec, actor=actor) for spec in specs_from_json(value)]

    def add_torrent(
        self,
        source: str,
        *,
        actor: str,
        kind: TicketKind | None = None,
        library: str | None = None,
        priority: int | None = None,
        target_format: str | None = None,
    ) -> Created:
        """File a ticket whose only candidate is a .torrent file or a magnet (`ticket add --torrent`)."""
        # imported here: reading a .torrent loads libtorrent and the scorer, which other commands never need
        from qtorrentino.workers.direct_torrents import VIA_CLI, DirectTorrents

        core = self._core
        return DirectTorrents(core.config, core.home, core.creator, core.commands).add(
            source, via=VIA_CLI, actor=actor, kind=kind, library=library, priority=priority,
            target_format=target_format,
        )

    def list(
        self,
        states: Iterable[TicketState] = (),
        *,
        limit: int = 200,
        after: tuple[int, str] | None = None,
        text: str | None = None,
    ) -> list[TicketSummary]:
        return queries.list_tickets(states, limit=limit, after=after, text=text)

    def show(self, ticket_id: str) -> TicketDetail:
        return queries.ticket_detail(ticket_id)

    def approval_queue(self, limit: int = 200) -> builtins.list[TicketSummary]:
        """Tickets waiting for a person: needs_approval first, then acquisition_failed."""
        waiting = queries.list_tickets((TicketState.NEEDS_APPROVAL,), limit=limit)
        return waiting + queries.list_tickets(
            (TicketState.ACQUISITION_FAILED,), limit=limit - len(waiting)
        )

    def wanted(self, limit: int = 500, text: str | None = None) -> Sequence[WantedView]:
        """The Wanted view: waiting tickets, then those watching for an upgrade."""
        from qtorrentino.tickets.wanted import wanted

        return wanted(limit, text)

    def counts(self) -> dict[TicketState, int]:
        return queries.counts_by_state()

    def approve(self, ticket_id: str, rank: int | None = None, *, actor: str) -> TicketDetail:
        return self._core.commands.approve(ticket_id, rank, actor=actor)

    def reject(self, ticket_id: str, reason: str = "", *, actor: str) -> TicketDetail:
        return self._core.commands.reject(ticket_id, reason, actor=actor)

    def cancel(self, ticket_id: str, reason: str = "", *, actor: str) -> TicketDetail:
        return self._core.commands.cancel(ticket_id, reason, actor=actor)

    def retry(self, ticket_id: str, *, actor: str) -> TicketDetail:
        return self._core.commands.retry(ticket_id, actor=actor)

    def watch(self, ticket_id: str, until: str | None = None, *, actor: str) -> TicketDetail:
        """`ticket watch`: wait for a release, or (--until, completed) search for an upgrade."""
        from qtorrentino.tickets.watching import WatchCommands

        return WatchCommands(self._core.commands, self._core.config.watch).watch(ticket_id, until, actor=actor)

    def unwatch(self, ticket_id: str, *, actor: str) -> TicketDetail:
        """`ticket unwatch`: stop watching (WatchEnded, reason unwatched)."""
        from qtorrentino.tickets.watching import WatchCommands

        return WatchCommands(self._core.commands, self._core.config.watch).unwatch(ticket_id, actor=actor)

    def force_search(self, ticket_id: str, query_text: str, *, actor: str) -> TicketDetail:
        return self._core.commands.force_search(ticket_id, query_text, actor=actor)

    def force_magnet(self, ticket_id: str, magnet_uri: str, *, actor: str) -> TicketDetail:
        # imported here: the scorer loads rapidfuzz, which list, show and approve never need
        from qtorrentino.textbrain.picks import person_pick_judge

        return self._core.commands.force_magnet(
            ticket_id, magnet_uri, actor=actor, judge=person_pick_judge(self._core.config)
        )

    def set_priority(self, ticket_id: str, priority: int, *, actor: str) -> TicketDetail:
        return self._core.commands.set_priority(ticket_id, priority, actor=actor)

    def is_idle(self) -> bool:
        return queries.all_idle()

    def any_failed(self) -> bool:
        return queries.any_failed()
