"""Untrusted XML parsing: defusedxml, no DTDs or entities, a size limit, typed errors."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from qtorrentino.errors import IndexerError, QtorrentinoError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_XML_BYTES = 16 * 1024 * 1024
_LEADING_JUNK = b" \t\r\n"


def parse_xml(
    body: bytes,
    *,
    source: str,
    max_bytes: int = MAX_XML_BYTES,
    error_type: type[QtorrentinoError] = IndexerError,
) -> Element:
    """Parse an untrusted document and return its root element.

    source names the sender in error messages (e.g. the indexer). DTDs, entity declarations and
    external references are refused outright, so billion laughs and XXE never expand or fetch.

    Raises:
        error_type: the body is too large, not XML, malformed, or carries a DTD or entities.
    """
    if len(body) > max_bytes:
        raise error_type(f"{source}: {len(body)} bytes of XML; the limit is {max_bytes}")
    document = _strip_leading_junk(body)
    if not document:
        raise error_type(f"{source}: an empty answer instead of XML")
    try:
        root: Element = fromstring(
            document, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
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


def local_name(element: Element) -> str:
    """An element's tag without its namespace, lower-cased."""
    return element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""


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
