"""How numbers read on screen: sizes, rates, ETAs, ages and progress bars for table cells."""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text

SIZE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
BAR_WIDTH = 8


def human_size(size_bytes: float | None) -> str:
    """1536 → "1.5 KB", 420_000_000 → "420 MB": decimal units as disks are sold, at most 3 digits."""
    if size_bytes is None:
        return "—"
    value = float(size_bytes)
    for unit in SIZE_UNITS:
        if abs(value) < 999.5 or unit == SIZE_UNITS[-1]:
            if unit == "B" or abs(value) >= 9.95:
                return f"{value:.0f} {unit}"
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.0f} {SIZE_UNITS[-1]}"


def human_rate(bytes_per_second: float) -> str:
    """A transfer rate; zero reads as a dash so busy torrents stand out."""
    return "—" if not bytes_per_second else f"{human_size(bytes_per_second)}/s"


def human_duration(seconds: float | None) -> str:
    """3725 → "1h02m"; None (unknown) → "∞"."""
    if seconds is None or seconds < 0:
        return "∞"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def ago(moment: datetime | None, now: datetime) -> str:
    """How long ago a moment was, from the engine's clock (so snapshots stay still)."""
    if moment is None:
        return "—"
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return f"in {human_duration(-seconds)}"
    if seconds < 5:
        return "just now"
    return f"{human_duration(seconds)} ago"


def progress_bar(fraction: float | None, complete_style: Style | str = "", remaining_style: Style | str = "",
                 width: int = BAR_WIDTH) -> Text:
    """A fixed-width bar and percentage as a table cell: "█████░░░░░  50%"."""
    if fraction is None:
        return Text("—".ljust(width + 5), end="")
    fraction = min(1.0, max(0.0, fraction))
    filled = round(fraction * width)
    bar = Text(end="", no_wrap=True)
    bar.append("█" * filled, style=complete_style)
    bar.append("░" * (width - filled), style=remaining_style)
    bar.append(f" {fraction * 100:3.0f}%")
    return bar
