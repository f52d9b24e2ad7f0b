"""Untrusted XML parsing: defusedxml, no DTDs or entities, bounded in time and memory, typed errors.

The document is fed to the parser in slices and the tree is built through a counting target, so a hostile
answer is refused as soon as it crosses a limit, long before it costs seconds or hundreds of megabytes:
millions of empty elements, deep nesting, one start tag (a huge attribute, or thousands of them) or one text
too long. An HTML page (a login or Cloudflare challenge) is named as such, not as hostile XML.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from qtorrentino.errors import IndexerError, QtorrentinoError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_XML_BYTES = 16 * 1024 * 1024
FEED_BYTES = 256 * 1024
"""The parser is fed this much at a time; the limits are checked between slices and at every element."""
_LEADING_JUNK = b" \t\r\n"
_HTML_PAGE = re.compile(
    rb"(?is)^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]"
)
HTML_HINT = "is the URL or API key right? a Cloudflare challenge?"


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """What one document may hold; past a limit it is refused (or, for items, cut short)."""

    max_elements: int = 100_000
    """A 1000-item Torznab answer has about 25 000 elements."""
    max_depth: int = 32
    """Torznab and MusicBrainz documents nest fewer than 12 deep."""
    max_token_bytes: int = 1024 * 1024
    """One start tag (its attributes) or comment; a longer one is refused."""
    max_attributes: int = 1000
    max_text_chars: int = 1024 * 1024
    """Text inside one element."""
    item_tag: str = ""
    """Elements with this local name are counted as items (e.g. "item" in a feed)."""
    max_items: int = 0
    """After this many items the rest of the document is not read (0: no such cut)."""


class _Refused(Exception):
    """A limit was crossed: the document is refused with this reason."""


class _Enough(Exception):
    """max_items were read: parsing stops and the tree so far is kept."""


class _CountingBuilder:
    """A TreeBuilder target that enforces XmlLimits as the parser reports each element and text."""

    def __init__(self, limits: XmlLimits) -> None:
        self._limits = limits
        self._builder = TreeBuilder()
        self._open: list[str] = []
        self.elements = 0
        self.items = 0
        self.events = 0
        self._text = 0

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        limits = self._limits
        self.events += 1
        self.elements += 1
        if self.elements > limits.max_elements:
            raise _Refused(f"more than {limits.max_elements} elements")
        if len(self._open) >= limits.max_depth:
            raise _Refused(f"elements nested more than {limits.max_depth} deep")
        if len(attrib) > limits.max_attributes:
            raise _Refused(f"an element with more than {limits.max_attributes} attributes")
        if limits.max_items and _local(tag) == limits.item_tag:
            self.items += 1
            if self.items > limits.max_items:
                raise _Enough
        self._open.append(tag)
        self._text = 0
        return self._builder.start(tag, attrib)

    def end(self, tag: str) -> Element:
        self.events += 1
        self._open.pop()
        self._text = 0
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self.events += 1
        self._text += len(text)
        if self._text > self._limits.max_text_chars:
            raise _Refused(f"more than {self._limits.max_text_chars} characters of text in one element")
        self._builder.data(text)

    def comment(self, text: str) -> None:
        self.events += 1

    def pi(self, target: str, text: str | None = None) -> None:
        self.events += 1

    def close(self) -> Element:
        """The root, closing whatever is still open (after a stop at max_items)."""
        while self._open:
            self._builder.end(self._open.pop())
        root: Element = self._builder.close()
        return root


def parse_xml(
    body: bytes,
    *,
    source: str,
    max_bytes: int = MAX_XML_BYTES,
    error_type: type[QtorrentinoError] = IndexerError,
    limits: XmlLimits | None = None,
    expected: str = "XML",
) -> Element:
    """Parse an untrusted document and return its root element.

    source names the sender in error messages (e.g. the indexer); expected names what it should have sent
    ("a Torznab feed"). DTDs, entity declarations and external references are refused outright, so billion
    laughs and XXE never expand or fetch.

    Raises:
        error_type: the body is too large, an HTML page, not XML, malformed, hostile, or over a limit.
    """
    if len(body) > max_bytes:
        raise error_type(f"{source}: {len(body)} bytes of XML; the limit is {max_bytes}")
    document = _strip_leading_junk(body)
    if not document:
        raise error_type(f"{source}: an empty answer instead of {expected}")
    if is_html_page(document):
        raise error_type(f"{source}: {html_page(expected)}", hint=HTML_HINT)
    limits = limits or XmlLimits()
    builder = _CountingBuilder(limits)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        _feed(parser, builder, document, limits)
        root: Element = parser.close()
    except _Enough:
        return builder.close()
    except _Refused as refused:
        raise error_type(
            f"{source}: XML with {refused}, refused",
            hint="the indexer (or something between it and you) is sending a hostile or broken answer",
        ) from None
    except DefusedXmlException as error:
        raise error_type(
            f"{source}: XML with a {_construct(error)}, refused as unsafe",
            hint="the indexer (or something between it and you) is sending hostile XML",
        ) from None
    except ParseError as error:
        line, column = error.position
        raise error_type(
            f"{source}: malformed XML (line {line}, column {column}: {_reason(error)})"
        ) from None
    except (ValueError, LookupError) as error:
        raise error_type(f"{source}: XML that cannot be decoded: {error}") from None
    return root


def _feed(parser: DefusedXMLParser, builder: _CountingBuilder, document: bytes, limits: XmlLimits) -> None:
    """Feed the document in slices; a stretch longer than max_token_bytes with no event is one giant token."""
    quiet = 0
    for offset in range(0, len(document), FEED_BYTES):
        events = builder.events
        parser.feed(document[offset : offset + FEED_BYTES])
        quiet = quiet + FEED_BYTES if builder.events == events else 0
        if quiet > limits.max_token_bytes:
            raise _Refused(f"a single tag or comment over {limits.max_token_bytes} bytes long")


def is_html_page(body: bytes) -> bool:
    """True when the body is an HTML page (a login page, a Cloudflare challenge), whatever its status."""
    return _HTML_PAGE.match(_strip_leading_junk(body)) is not None


def html_page(expected: str) -> str:
    """What to say about an HTML page where `expected` (e.g. "a Torznab feed") should have come."""
    return f"an HTML page, not {expected} ({HTML_HINT})"


def local_name(element: Element) -> str:
    """An element's tag without its namespace, lower-cased."""
    return _local(element.tag) if isinstance(element.tag, str) else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _strip_leading_junk(body: bytes) -> bytes:
    """Drop a UTF-8 BOM and whitespace before the first '<', which some servers send."""
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    return body.lstrip(_LEADING_JUNK)


def _construct(error: DefusedXmlException) -> str:
    """Name the refused XML construct in words a person understands."""
    name = type(error).__name__
    if name == "DTDForbidden":
        return "DTD (document type declaration)"
    if name == "EntitiesForbidden":
        return "entity declaration"
    if name == "ExternalReferenceForbidden":
        return "reference to an external resource"
    return "forbidden construct"


def _reason(error: ParseError) -> str:
    """The expat message without its position suffix."""
    return str(error).split(":", 1)[0]
