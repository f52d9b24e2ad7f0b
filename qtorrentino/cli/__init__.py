"""The command line: the TUI, headless, demo and the ticket/torrent/search/parse/audit/scan/doctor commands."""
