"""What 'no executable markup survived' means for a served page, checked on the parsed HTML."""

from __future__ import annotations

import re

import lxml.html

# Elements that run code, load other documents or restyle the page; none may come from data.
ACTIVE_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base"}
ACTIVE_TAGS |= {"foreignobject", "animate", "set", "use"}  # SVG parts that run or fetch things
CHART_ID = re.compile(r"^chart-\d+$")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def active_markup(html: str) -> list[str]:
    """Every element or attribute of the page that a browser could execute; empty when safe."""
    found: list[str] = []
    doc = lxml.html.document_fromstring(html)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.lower()
        if (tag in ACTIVE_TAGS or tag == "style") and not drawn_by_the_app(element):
            found.append(f"<{tag}>")
        if tag == "script" and (element.text or not element.get("src", "").startswith("/static/")):
            found.append(f"inline or foreign <script>: {lxml.html.tostring(element)[:80]!r}")
        if tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on") or lowered in ("style", "srcdoc"):
                found.append(f"<{tag} {name}={value[:40]!r}>")
            scheme = INVISIBLE.sub("", value).lower()
            if lowered in URL_ATTRIBUTES and scheme.startswith(BAD_SCHEMES):
                found.append(f"<{tag} {name}={value[:40]!r}>")
    return found


def drawn_by_the_app(element: lxml.html.HtmlElement) -> bool:
    """The SVGs the templates draw: a chart (svg.bars#chart-N) or a legend's colour swatch."""
    if element.tag.lower() != "svg":
        return False
    if element.get("class", "").split()[:1] == ["bars"] and CHART_ID.match(element.get("id", "")):
        return True
    parent = element.getparent()
    holder = parent.getparent() if parent is not None else None
    return holder is not None and holder.get("class") == "legend" and len(element) == 1


def page_text(html: str) -> str:
    """The text a reader sees (escaped markup in data shows up here as literal characters)."""
    return lxml.html.document_fromstring(html).text_content()
