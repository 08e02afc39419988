"""Header values with parameters: `Content-Type`, `Content-Disposition`, `Accept` and `Link`.

This module owns how a value such as `multipart/form-data; boundary="x"` or
`form-data; name="f"; filename="a.txt"` splits into its main value and its
parameters (RFC 9110 section 5.6.6), how an `Accept` list reads as media ranges
and their qualities (RFC 9110 section 12.5.1), how an RFC 8187 extended value
(`filename*=UTF-8''%E2%82%AC.txt`) decodes, and how one `Link` value
(`<https://example.com/?page=2>; rel="next"`, RFC 8288) is written. It does no
I/O and imports only the standard library.

Parsing is lenient, because the client decides these bytes: a parameter that
does not parse is skipped, never raised. Quoted strings are unquoted the way
browsers and Starlette expect: only `\\\\` and `\\"` are escapes, so a raw
Windows path such as `"C:\\docs\\a.txt"` keeps its backslashes.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes

from transom.http.headers import is_token

__all__ = [
    "accepts_html",
    "decode_extended_value",
    "dump_content_disposition",
    "dump_link",
    "parse_accept",
    "parse_header_options",
]

# One parameter: separators, a name, and maybe `=` with a quoted or a bare value.
_PARAMETER = re.compile(
    r"""[\s;]*
    (?P<name>[^\s=;]+)\s*
    (?:=[ \t]*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^;]*)))?""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\([\\\"])")
# RFC 8187 section 3.2.1: charset'language'value-chars.
_EXTENDED = re.compile(r"(?P<charset>[A-Za-z0-9!#$%&+\-^_`{}~]+)'[^']*'(?P<value>.*)", re.DOTALL)


def parse_header_options(value: str) -> tuple[str, dict[str, str]]:
    """Split a header value into its main value and its parameters.

    The main value (`multipart/form-data`, `form-data`) and the parameter names
    are lower-cased and stripped; quoted values are unquoted; for a name given
    twice, the last value wins. Extended parameters keep their `*`
    (`filename*`): decode them with `decode_extended_value`.

    >>> parse_header_options('form-data; name="f"; filename="a b.txt"')
    ('form-data', {'name': 'f', 'filename': 'a b.txt'})
    """
    main, _, rest = value.partition(";")
    options: dict[str, str] = {}
    position = 0
    while position < len(rest):
        found = _PARAMETER.match(rest, position)
        if found is None:
            # Junk such as `=x` where a name should be: skip to the next parameter.
            next_separator = rest.find(";", position + 1)
            if next_separator == -1:
                break
            position = next_separator
            continue
        position = found.end()
        quoted = found.group("quoted")
        if quoted is not None:
            text = _ESCAPE.sub(r"\1", quoted)
        else:
            text = (found.group("bare") or "").strip(" \t")
        options[found.group("name").lower()] = text
    return main.strip(" \t").lower(), options


def parse_accept(value: str) -> list[tuple[str, float]]:
    """The media ranges of an `Accept` value with their qualities, in the order given.

    Media ranges are lower-cased; a range without `q` has quality 1, and so has
    one whose `q` is not a number from 0 to 1 (the parameter is ignored, not the
    range).

    >>> parse_accept("text/html, application/json; q=0.5, */*; q=0")
    [('text/html', 1.0), ('application/json', 0.5), ('*/*', 0.0)]
    """
    ranges: list[tuple[str, float]] = []
    for item in value.split(","):
        media_range, options = parse_header_options(item)
        if not media_range:
            continue
        ranges.append((media_range, _quality(options.get("q"))))
    return ranges


def _quality(text: str | None) -> float:
    try:
        quality = float(text) if text is not None else 1.0
    except ValueError:
        return 1.0
    return quality if 0.0 <= quality <= 1.0 else 1.0  # NaN compares false too


#: The media types a browser names when it navigates to a page.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def accepts_html(value: str) -> bool:
    """Whether an `Accept` value names HTML explicitly, as a browser's page navigation does.

    Only `text/html` or `application/xhtml+xml` with a quality above 0 count: a
    wildcard (`*/*`, `text/*`) is what scripts, images and API clients send.
    """
    return any(
        media_range in _HTML_TYPES and quality > 0 for media_range, quality in parse_accept(value)
    )


def decode_extended_value(value: str) -> str | None:
    """Decode an RFC 8187 extended value (`UTF-8''na%C3%AFve.txt`), or `None` if it is broken.

    `value` is the parameter as the header carried it (latin-1 characters for
    bytes). Any charset Python knows is accepted; RFC 8187 requires UTF-8 and
    ISO-8859-1. A value whose bytes do not decode in its charset is `None`.
    """
    found = _EXTENDED.fullmatch(value)
    if found is None:
        return None
    try:
        return unquote_to_bytes(found.group("value")).decode(found.group("charset"))
    except (LookupError, UnicodeDecodeError):
        return None


def _ascii_fallback(filename: str) -> str:
    """`filename` as a quoted-string: non-ASCII and control characters become `?`."""
    safe = "".join(
        "?" if not char.isascii() or ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in filename
    )
    return safe.replace("\\", "\\\\").replace('"', '\\"')


def dump_content_disposition(kind: str, filename: str) -> str:
    """A `Content-Disposition` value for a download named `filename` (RFC 6266).

    Any name works: the quoted `filename` is an ASCII fallback (non-ASCII and
    control characters as `?`, quotes and backslashes escaped), and whenever
    it differs from the name, `filename*` (RFC 8187) carries the exact name,
    percent-encoded. A name from a user's upload can never break the header.
    """
    fallback = _ascii_fallback(filename)
    value = f'{kind}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=utf-8''{quote(filename, safe='')}"
    return value


# A URI reference may not hold `<`, `>`, `"`, spaces or controls (RFC 3986), and must be
# ASCII: anything else would end the `<...>` early or need percent-encoding.
_LINK_TARGET = re.compile(r"[!#-;=?-~]*")


def _quoted_string(what: str, value: str) -> str:
    """`value` as an RFC 9110 quoted-string (`\\` and `\"` escaped)."""
    if not isinstance(value, str):
        raise ValueError(f"Link {what} must be a str, got {type(value).__name__} {value!r}.")
    for char in value:
        code = ord(char)
        if (code < 0x20 and char != "\t") or code == 0x7F or code > 0xFF:
            raise ValueError(
                f"Link {what} {value!r} contains {char!r}, which a quoted-string cannot hold "
                "(RFC 9110 section 5.6.4): use printable latin-1 text, or percent-encode it."
            )
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def dump_link(url: str, rel: str, params: dict[str, str] | None = None) -> str:
    """One `Link` value (RFC 8288 section 3): `<url>; rel="..."`, then each parameter quoted.

    >>> dump_link("/items?page=2", "next", {"title": "Page 2"})
    '</items?page=2>; rel="next"; title="Page 2"'

    Raises:
        ValueError: if `url` holds `<`, `>`, `"`, whitespace, control or
            non-ASCII characters (percent-encode them), `rel` is empty, a
            parameter name is not a token, or a value cannot be a quoted-string.
    """
    if not isinstance(url, str) or _LINK_TARGET.fullmatch(url) is None:
        raise ValueError(
            f"Link target {url!r} is not a URI reference (RFC 8288 section 3, RFC 3986): "
            "it may not contain '<', '>', '\"', whitespace, control or non-ASCII characters; "
            "percent-encode them (urllib.parse.quote)."
        )
    if not isinstance(rel, str) or not rel.strip(" \t"):
        raise ValueError(
            f"Link rel={rel!r} must name the relation, e.g. rel='next' (RFC 8288 section 3.3)."
        )
    parts = [f"<{url}>", f"rel={_quoted_string('rel', rel)}"]
    for name, value in (params or {}).items():
        if not is_token(name) or name.lower() == "rel":
            raise ValueError(
                f"Link parameter name {name!r} must be a token other than rel "
                "(RFC 8288 section 3): letters, digits and !#$%&'*+-.^_`|~."
            )
        parts.append(f"{name}={_quoted_string(f'parameter {name}', value)}")
    return "; ".join(parts)
