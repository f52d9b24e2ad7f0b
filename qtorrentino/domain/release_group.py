"""Who made a release: "…-GROUP", "[Group] …", " - GROUP"; and the noise around it that is not
a group: website prefixes, tracker tags ("[eztv]", "[rarbg]"), re-poster suffixes ("-postbot").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qtorrentino.domain.release_vocab import LANGUAGE_WORDS, REPOST_SUFFIXES, SITE_WORDS, TAGS

WORD_CACHE_SIZE = 1 << 14
"""Words and bracket contents seen across names: tags repeat from one name to the next."""
_TLD = (r"(?:com|org|net|to|se|me|io|cc|tv|in|ws|sbs|world|lol|info|biz|ru|xyz|co|uk|nz|li|pw|ch"
        r"|ag|mx|lt|am|tw|cd|click|fun|site|vip|top|club|bz|one|mov|eu|de|fr|it|es|nl|pl|cx|re"
        r"|st|unblocked|onl|live|pro|app|dev|link|store|space|website|ms|cool|rs|la|ac|pe)")
SITE_PREFIX = re.compile(
    r"(?i)\s*(?:[\[({【]\s*(?:www\.)?[\w-]+(?:\.[\w-]+){0,3}\." + _TLD + r"\s*[\])}】]\s*[-:]?\s*"
    r"|www\.[\w-]+(?:\.[\w-]+){0,3}\.[a-z]{2,12}\s*(?:-\s*|\s+)"
    r"|[\w-]+(?:\.[\w-]+){0,3}\." + _TLD + r"\s+-\s+)"
)
"""A leading "www.site.tld - ", "[ www.site.com ] " or "site.org - ": where the name was found."""
_DOMAIN = re.compile(r"(?i)(?:www\.)?[\w-]+(?:\.[\w-]+){0,3}\." + _TLD)
_CRC = re.compile(r"[0-9A-Fa-f]{8}")
_LEADING = re.compile(r"\s*[\[【](?P<group>[^\[\]【】]{1,40})[\]】][\s._-]*")
_GROUP_CHARS = re.compile(r"[^\W_][^\s\-\[\](){}]{0,30}")
_SPACED_GROUP = re.compile(r"[A-Za-z][\w.@]{1,20}")
_SCENE_PREFIX = re.compile(r"([a-z0-9]{2,8})-(?=[a-z0-9]+\.[a-z0-9])")
_WORD = re.compile(r"[^\W_]+")
_NOT_GROUP = re.compile(
    r"(?:s\d{1,4}(?:e\d|$)|e\d{1,4}$|\d+x\d|\d+p$|v\d$|\d{1,4}v\d$|x26|(?:cap|ep)\W?\d)")
_CODEC_SUFFIXED = re.compile(r"(?:web)?(?:dl|hdtv|pdtv|webrip|bluray)x26[45]")
_NEVER_GROUPS = frozenset(
    ["dl", "rip", "mux", "hd", "sd", "uhd", "hq", "web1", "web2", "sub", "subs", "audio", "dual",
     "multi"]
)
_RUN_BREAKS = frozenset(" .()[]{}")
_SPLIT = re.compile(r"[\s._]+")
_CLOSERS = {"]": "[", ")": "(", "}": "{", "】": "【"}
_SITE_STARTS = ("[", "(", "{", "【", "www")


@dataclass(frozen=True, slots=True)
class Group:
    """A release group and the span of the name the title and tags may take."""

    name: str | None
    body_start: int
    """Where the title may begin: after a site prefix or a leading "[Group]"."""
    body_end: int
    """Where the title may end: before "-GROUP" and any tracker tags after it."""
    leading: bool = False
    name_start: int = -1
    """Where a trailing group's name stands (-1 when there is none or it leads)."""


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _is_tag_word(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return bool(words) and ("".join(words) in TAGS or all(word in TAGS for word in words))


def _noise(content: str) -> bool:
    """Bracketed text after a release that is a tracker tag, a checksum, a site or quality."""
    stripped = content.strip()
    key = stripped.lower().replace(" ", "")
    return (not stripped or key in SITE_WORDS or key.isdigit() or bool(_CRC.fullmatch(stripped))
            or bool(_DOMAIN.fullmatch(stripped)) or _is_tag_word(stripped)
            or key.startswith(("www", "eztv", "ettv", "rarbg", "tgx")))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _taglike(segment: str) -> bool:
    """A piece of a name that is a tag, a number or an episode marker, never a group."""
    key = segment.lower()
    return (not key or key in TAGS or key.isdigit() or bool(_NOT_GROUP.match(key))
            or _is_tag_word(segment) or bool(_CODEC_SUFFIXED.fullmatch(key)))


def _valid(group: str) -> bool:
    """A group's name is no tag, though it may be a language code ("-NL", "-HUN")."""
    key = group.lower()
    if key in REPOST_SUFFIXES or key in _NEVER_GROUPS:
        return False
    return not _taglike(group) or (TAGS.get(key, ("",))[0] == "other" and not key.isdigit()
                                   and len(key) <= 3)


def strip_site_prefix(text: str) -> str:
    """The name without a leading "www.site.tld - " or "[site.org]"."""
    return text[_site_prefix_end(text):]


def _site_prefix_end(text: str) -> int:
    lowered = text[:80].lower().lstrip()
    dash = lowered.find(" - ")
    if (lowered.startswith(_SITE_STARTS) or (dash > 0 and "." in lowered[:dash])) and (
            match := SITE_PREFIX.match(text)):
        return match.end()
    return 0


def _strip_trailing_noise(text: str, start: int) -> int:
    """Where the name ends once tracker tags, checksums and re-poster suffixes are cut off."""
    end = len(text.rstrip(" ._-"))
    for _ in range(8):
        if end <= start + 1:
            break
        last = text[end - 1]
        if last in _CLOSERS:
            opener = text.rfind(_CLOSERS[last], start, end - 1)
            if opener > start and _noise(text[opener + 1:end - 1]):
                end = len(text[:opener].rstrip(" ._-"))
                continue
            break
        cut = max(text.rfind("-", start, end), text.rfind(".", start, end),
                  text.rfind(" ", start, end))
        word = text[cut + 1:end].lower()
        if cut > start and ((word in REPOST_SUFFIXES and text[cut] == "-") or (
                word in SITE_WORDS and text[cut - 2:cut + 1] in (" - ", ".-."))):
            end = len(text[:cut].rstrip(" ._-"))
            continue
        break
    return end


def _dash_run(text: str, start: int, end: int) -> tuple[str, int] | None:
    """ "x264-GROUP", "HQ.Hive-CM8", "x264-MARINE-FORD": the group after the last tag of a run."""
    run_start = end
    while run_start > start and text[run_start - 1] not in _RUN_BREAKS:
        run_start -= 1
    if "_" in text[run_start:end] and "_" in text[start:run_start]:
        run_start = text.rfind("_", run_start, end) + 1
    run = text[run_start:end]
    if "-" not in run:
        return None
    segments = run.split("-")
    if len(segments) > 2 and segments[-1].lower() in LANGUAGE_WORDS:
        end -= len(segments.pop()) + 1
    last_tag = -1
    for index, segment in enumerate(segments):
        if _taglike(segment) or (index and (segments[index - 1] + segment).lower() in TAGS):
            last_tag = index
    if last_tag == len(segments) - 1 and len(segments) > 1 and _valid(segments[-1]) and (
            (segments[-2] + segments[-1]).lower() not in TAGS):
        last_tag -= 1
    run_start += sum(len(segment) + 1 for segment in segments[:last_tag + 1])
    group = "-".join(segments[last_tag + 1:])
    if not group or not _valid(group) or not group[0].isalnum() or run_start <= start:
        return None
    return group, run_start


def _last_word_group(text: str, start: int, end: int) -> tuple[str, int] | None:
    """ "…x264.AC3.TiTAN", "…(1080p BluRay x265 10bit AAC 7.1 Tigole)": a last word that is no
    tag, right after tags; "…DLMux by UBi"."""
    body = text[start:end]
    closing = body.endswith(")")
    if closing:
        body = body[body.rfind("(") + 1:-1]
    words = [word for word in _SPLIT.split(body.strip(" -")) if word.strip("-")]
    for index in (-2, -3):
        if len(words) >= 1 - index and words[index].lower() == "by":
            name = words[index + 1]
            return name, start + text.rfind(name, start, end) - start
    if len(words) < 2 or _taglike(words[-1]) or not _taglike(words[-2]) or len(words[-1]) < 2:
        return None
    if words[-1].lower() in LANGUAGE_WORDS or not words[-1][0].isalnum():
        return None
    return words[-1], end - len(words[-1]) - closing


def find_group(text: str) -> Group:
    """The release group of a name (file extension already removed) and the span its body takes."""
    start = _site_prefix_end(text)
    if text.startswith("[ ") and text.rstrip().endswith(" ]"):
        text = text[:len(text.rstrip()) - 1]
        start = 2
    lead_name = None
    if text[start:start + 1] in ("[", "【") and (leading := _LEADING.match(text, start)):
        content = leading["group"].strip()
        if _DOMAIN.fullmatch(content) or _is_tag_word(content):
            start = leading.end()
        elif not _noise(content) and leading.end() < len(text):
            lead_name, start = content, leading.end()
        while text[start:start + 1] == "[" and (more := _LEADING.match(text, start)) and (
                _noise(more["group"]) or more["group"].lower() in ("batch", "bd", "remux")):
            start = more.end()
    elif text.islower() and " " not in text and (scene := _SCENE_PREFIX.match(text, start)):
        lead_name, start = scene.group(1), scene.end()
    end = _strip_trailing_noise(text, start)
    if text[end - 1:end] in ("]", ")") and lead_name is None:
        opener = text.rfind("[" if text[end - 1] == "]" else "(", start, end)
        content = text[opener + 1:end - 1].strip()
        before = _dash_run(text, start, len(text[:opener].rstrip(" ._-"))) if opener > 0 else None
        if before is not None:
            return Group(before[0], start, before[1] - 1, False, before[1])
        if opener > start and _GROUP_CHARS.fullmatch(content) and _valid(content):
            return Group(content, start, opener, False, opener + 1)
    if found := _dash_run(text, start, end):
        return Group(found[0], start, found[1] - 1, False, found[1])
    peeled = end
    for _ in range(3):
        cut = max(text.rfind(".", start, peeled), text.rfind(" ", start, peeled))
        if cut <= start or not _taglike(text[cut + 1:peeled].strip("-+")):
            break
        peeled = len(text[:cut].rstrip(" .-+"))
        if found := _dash_run(text, start, peeled):
            return Group(found[0], start, found[1] - 1, False, found[1])
    spaced = max(text.rfind(" - ", start, end), text.rfind(".-.", start, end))
    if spaced > start and (match := _SPACED_GROUP.fullmatch(text, spaced + 3, end)) and _valid(
            match.group()):
        return Group(match.group(), start, spaced, False, spaced + 3)
    if lead_name is None and (found := _last_word_group(text, start, end)):
        return Group(found[0], start, found[1], False, found[1])
    return Group(lead_name, start, end, leading=lead_name is not None)
