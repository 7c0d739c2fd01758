"""Rendering Open311 answers as JSON or XML (UTF-8, with the XML declaration)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

from gridgov.kit.errors import GridgovError

FORMATS = ("json", "xml")
# Element names of list items inside XML containers.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(GridgovError):
    """An error told in Open311's words (the description is what a third-party app shows)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description, description)
        self.status_code = status
        self.code = f"open311_{status}"
        self.description = description


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                container = ET.SubElement(element, key)
                for item in child:
                    _fill(ET.SubElement(container, ITEM_NAMES.get(key, "item")), item)
            else:
                _fill(ET.SubElement(element, key), child)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    element = ET.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for entry in data:
            _fill(ET.SubElement(element, item), entry)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: str, data: Any, *, root: str, item: str | None, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(
            to_xml(root, item, data), status_code=status, media_type="text/xml; charset=utf-8"
        )
    return Response(
        json.dumps(data, ensure_ascii=False).encode(),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )


def error(fmt: str, status: int, description: str) -> Response:
    body = [{"code": status, "description": description}]
    return render(
        fmt if fmt in FORMATS else "json", body, root="errors", item="error", status=status
    )


def error_for_path(path: str, exc: GridgovError) -> Response:
    """Any error under ``/open311``, in the format the path asks for (``….xml`` or JSON)."""
    fmt = "xml" if path.endswith(".xml") else "json"
    return error(fmt, exc.status_code, exc.message_en)
