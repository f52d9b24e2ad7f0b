"""`qtorrentino audit replay [--ticket ID] [--threshold X] [--json]`: re-score stored candidates under today's rules."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from qtorrentino.cli.home_args import open_core
from qtorrentino.cli.output import print_json_lines, print_table

if TYPE_CHECKING:
    from qtorrentino.config.model import Config
    from qtorrentino.db.models import TicketRow

HELP = "re-score stored candidates under the current rules and threshold"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ticket", metavar="ID", help="only this ticket (an id or a unique prefix)")
    parser.add_argument("--threshold", type=float, help="try another auto-approve threshold")
    parser.add_argument("--json", action="store_true", help="one JSON object per ticket")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from qtorrentino.db.models import CandidateRow, TicketRow
    from qtorrentino.tickets.rows import resolve_id

    core = open_core(args)
    query = TicketRow.select().where(TicketRow.id.in_(CandidateRow.select(CandidateRow.ticket).distinct()))
    if args.ticket:
        query = query.where(TicketRow.id == resolve_id(args.ticket))
    rows = [row for ticket in query.order_by(TicketRow.created_at)
            if (row := _replay(ticket, args.threshold, core.config)) is not None]
    if args.json:
        print_json_lines(rows)
    else:
        print_table(("TICKET", "WAS", "NOW", "CHANGED", "TOP NOW", "SCORE"),
                    ((r["ticket_id"], r["was"], r["now"], "yes" if r["changed"] else "", r["top_title"],
                      f"{r['top_score']:.2f}") for r in rows))
        changed = sum(1 for r in rows if r["changed"])
        sys.stdout.write(f"{changed} of {len(rows)} decision(s) would change\n")
    return 0


def _replay(ticket: TicketRow, threshold: float | None, config: Config) -> dict[str, Any] | None:
    from qtorrentino.audit.query import latest
    from qtorrentino.db.models import CandidateRow
    from qtorrentino.textbrain.decide import DumbMatcher, decide, scoring_spec, threshold_for
    from qtorrentino.tickets.rows import spec_of
    from qtorrentino.workers.candidates import result_of

    stored = CandidateRow.select().where(CandidateRow.ticket == ticket.id).order_by(CandidateRow.rank)
    candidates = [result_of(row) for row in stored]
    if not candidates:
        return None
    spec = scoring_spec(spec_of(ticket), config)
    configured = config.textbrain.auto_approve_threshold
    in_force = threshold if threshold is not None else threshold_for(spec, configured)
    scored = DumbMatcher().score(spec, candidates)
    decision = decide(scored, in_force)
    recorded = latest(ticket.id, "MatchingCompleted")
    was = str(recorded.data.get("outcome", "")) if recorded else ""
    was_top = recorded.data["candidates"][0]["info_hash"] if recorded and recorded.data.get("candidates") else None
    top = scored[0].result if scored else None
    return {"ticket_id": ticket.id, "title": ticket.title, "was": was, "now": decision.outcome.value,
            "changed": was != decision.outcome.value or (top is not None and was_top != top.info_hash),
            "top_title": top.title if top else None, "top_score": round(scored[0].score, 4) if scored else 0.0,
            "threshold": in_force, "reason": decision.reason}

