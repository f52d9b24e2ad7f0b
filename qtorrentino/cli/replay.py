"""`qtorrentino audit replay [--ticket ID] [--threshold X] [--matcher dumb|llm] [--json]`: re-decide stored
candidates under today's rules, with the heuristics or the LLM, and show what would change."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from qtorrentino.cli.home_args import open_core
from qtorrentino.cli.output import print_json_lines, print_table

if TYPE_CHECKING:
    from qtorrentino.config.model import Config
    from qtorrentino.db.models import TicketRow
    from qtorrentino.textbrain.matching import TextBrain

HELP = "re-decide stored candidates under the current rules and threshold, or with the other matcher"
MATCHERS = ("dumb", "llm")
"""--matcher dumb: the heuristics alone; llm: the LLM judges every decision (as llm_first does)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ticket", metavar="ID", help="only this ticket (an id or a unique prefix)")
    parser.add_argument("--threshold", type=float, help="try another auto-approve threshold")
    parser.add_argument("--matcher", choices=MATCHERS,
                        help="decide with the heuristics alone (dumb) or with the LLM judging (llm); "
                        "default: as [textbrain] mode says")
    parser.add_argument("--json", action="store_true", help="one JSON object per ticket")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from qtorrentino.db.models import CandidateRow, TicketRow
    from qtorrentino.metadata.cache import MetadataCache
    from qtorrentino.textbrain.matching import MatcherMode, TextBrain
    from qtorrentino.tickets.rows import resolve_id

    core = open_core(args)
    mode = {"dumb": MatcherMode.DUMB_ONLY, "llm": MatcherMode.LLM_FIRST}.get(args.matcher or "")
    brain = TextBrain.from_config(core.config.textbrain, cache=MetadataCache(core.clock), mode=mode)
    query = TicketRow.select().where(TicketRow.id.in_(CandidateRow.select(CandidateRow.ticket).distinct()))
    if args.ticket:
        query = query.where(TicketRow.id == resolve_id(args.ticket))
    replayed = (_replay(ticket, args.threshold, core.config, brain)
                for ticket in query.order_by(TicketRow.created_at))
    rows = [row for row in replayed if row is not None]
    if args.json:
        print_json_lines(rows, core.secrets)
    else:
        print_table(("TICKET", "WAS", "BY", "NOW", "BY", "CHANGED", "TOP NOW", "SCORE"),
                    ((r["ticket_id"], r["was"], r["was_matcher"], r["now"], r["matcher"],
                      "yes" if r["changed"] else "", r["top_title"], f"{r['top_score']:.2f}") for r in rows))
        changed = sum(1 for r in rows if r["changed"])
        sys.stdout.write(f"{changed} of {len(rows)} decision(s) would change\n")
        sys.stdout.write(_llm_summary(rows))
    return 0


def _replay(ticket: TicketRow, threshold: float | None, config: Config,
            brain: TextBrain) -> dict[str, Any] | None:
    from qtorrentino.audit.query import latest
    from qtorrentino.db.models import CandidateRow
    from qtorrentino.textbrain.decide import scoring_spec, threshold_for
    from qtorrentino.tickets.rows import spec_of
    from qtorrentino.workers.candidates import result_of

    stored = CandidateRow.select().where(CandidateRow.ticket == ticket.id).order_by(CandidateRow.rank)
    candidates = [result_of(row) for row in stored]
    if not candidates:
        return None
    spec = scoring_spec(spec_of(ticket), config)
    configured = config.textbrain.auto_approve_threshold
    in_force = threshold if threshold is not None else threshold_for(spec, configured)
    matched = brain.conclude(spec, brain.rank(spec, candidates), in_force)
    scored, decision = matched.scored, matched.decision
    now = "failed" if matched.failure is not None else decision.outcome.value
    recorded = latest(ticket.id, "MatchingCompleted")
    was = str(recorded.data.get("outcome", "")) if recorded else ""
    was_top = recorded.data["candidates"][0]["info_hash"] if recorded and recorded.data.get("candidates") else None
    top = scored[0].result if scored else None
    fields = matched.audit_fields()
    return {"ticket_id": ticket.id, "title": ticket.title, "was": was,
            "was_matcher": str(recorded.data.get("matcher", "dumb")) if recorded else "",
            "now": now, "matcher": matched.matcher,
            "changed": was != now or (top is not None and was_top != top.info_hash),
            "top_title": top.title if top else None, "top_score": round(scored[0].score, 4) if scored else 0.0,
            "threshold": in_force, "reason": matched.failure.message if matched.failure else decision.reason,
            "llm_asked": bool(matched.consultations), "llm_cached": fields.get("llm_cached"),
            "llm_discarded": fields.get("llm_discarded")}


def _llm_summary(rows: list[dict[str, Any]]) -> str:
    """How many replayed decisions asked the LLM, how many of those the cache answered."""
    asked = [row for row in rows if row["llm_asked"]]
    if not asked:
        return ""
    cached = sum(1 for row in asked if row["llm_cached"])
    dropped = sum(1 for row in asked if row["llm_discarded"])
    return (f"the LLM judged {len(asked)} decision(s): {cached} from the response cache, "
            f"{dropped} answer(s) discarded\n")
