"""What a SPARQL query may do: read it as the engine does, and refuse what reaches outside the store.

In: query text. Out: its form and variables, or a ``QueryError``. The decision is made on the
query's tokens, never on a scan of its text, and the text is read twice: with ``\\u`` escapes
decoded only inside strings and IRIs (Oxigraph's reading), and with every escape decoded first
(the SPARQL specification's reading, and Oxigraph's ``standard-unicode-escaping`` build). A
query on which the two readings disagree is refused, so no engine can see what the check did not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import QueryError, QueryRefused

__all__ = ["QueryReading", "Token", "read_query", "read_tokens"]

#: Keywords that only a SPARQL Update has: graphkit runs queries, never updates.
UPDATE_KEYWORDS = frozenset(
    {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with", "using"}
)
#: The query forms graphkit runs.
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

# The grammar's character classes (SPARQL 1.1, section 19.8), as Oxigraph's parser spells them.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
# "(X | '.')* X" is written "('.'* X)*": the same names, and each class compiled once fewer
# (Python's re compiles a class of 50,000 characters one character at a time: 2 ms each).
_PREFIX = rf"[{_BASE}](?:\.*[{_CHARS}])*"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:\.*(?:[{_CHARS}:]|{_PLX}))*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""

_SPACE = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
_STRING = re.compile(
    rf"""
      '''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
    | \"\"\"(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
    | '(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'
    | "(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"
    """,
    re.VERBOSE,
)
_IRI = re.compile(rf"<((?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*)>")
_IRI_CHARS = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*")
# A prefixed name (group 2 set: PNAME_NS or PNAME_LN), else a bare name (a keyword, ``a``, ``true``).
_NAME = re.compile(rf"({_PREFIX})?(:(?:{_LOCAL})?)?")
_VAR = re.compile(rf"[?$]([{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)")
_BNODE = re.compile(rf"_:[{_U}0-9](?:\.*[{_CHARS}])*")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+")
_PUNCT = re.compile(r"\^\^|&&|\|\||!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\],;.=!<>+\-*/^|~?]")
_ESCAPE = re.compile(_UCHAR)
_STRING_ESCAPE = re.compile(rf"{_ECHAR}|{_UCHAR}")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

# Kinds of token that end an operand: after one, "<" inside an expression is less-than.
_OPERANDS = ("var", "iri", "pname", "string", "langtag", "number", "bnode")


@dataclass(frozen=True)
class Token:
    """One token of a query: its kind, its value (strings and IRIs decoded), where it starts."""

    kind: str  # iri, pname, var, bnode, string, langtag, number, word, punct
    value: str
    start: int
    end: int
    spaced: bool  # whitespace or a comment stands before it


@dataclass(frozen=True)
class QueryReading:
    """What a query is, as read before it runs: its form and the variables it names."""

    form: str
    variables: frozenset[str]


def _decode(match: re.Match[str]) -> str:
    text = match.group(0)
    if text[1] in "uU":
        code = int(text[2:], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{text} is not a character")
        return chr(code)
    return _ECHARS[text[1]]


def _unescape(text: str) -> str:
    """Apply every ``\\u``/``\\U`` escape, as the specification's first step does."""
    return _ESCAPE.sub(_decode, text)


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def read_tokens(text: str, unescape_first: bool = False) -> list[Token]:
    """The tokens of a SPARQL query, or a ``QueryError`` naming where the text cannot be read.

    ``unescape_first`` applies every ``\\u`` escape before reading (the specification's reading);
    otherwise escapes are decoded inside strings and IRIs only (Oxigraph's).

    Examples
    --------
    >>> [(t.kind, t.value) for t in read_tokens('ASK { ?s <p> "a\\\\u0022b" }')]
    [('word', 'ASK'), ('punct', '{'), ('var', 's'), ('iri', 'p'), ('string', 'a"b'), ('punct', '}')]
    """
    if unescape_first:
        try:
            text = _unescape(text)
        except ValueError as err:
            raise QueryError(f"the query cannot be read: {err}") from err
    return list(_tokens(text))


def _tokens(text: str) -> Iterator[Token]:
    """Read token after token, tracking just enough of the grammar to read "<" as the parser does."""
    stack: list[str] = []  # open brackets: "pattern" ({ or [), "expr" or "list" (
    clause = False  # in a SELECT clause or after GROUP BY / ORDER BY / HAVING: parentheses hold expressions
    prev: Token | None = None
    before: Token | None = None
    i, end = 0, len(text)
    while True:
        space = _SPACE.match(text, i)
        spaced = space is not None
        if space:
            i = space.end()
        if i >= end:
            return
        token = _next(text, i, spaced, stack, prev, before)
        if token.kind == "word":
            word = token.value.lower()
            if word in ("select", "by", "having"):
                clause = True
            elif word == "where":
                clause = False
        elif token.kind == "punct":
            if token.value in ("{", "["):
                stack.append("pattern")
                clause = False
            elif token.value == "(":
                stack.append(_parenthesis(stack, prev, before, clause))
            elif token.value in ("}", "]", ")") and stack:
                stack.pop()
        yield token
        i = token.end
        before, prev = prev, token


def _parenthesis(stack: list[str], prev: Token | None, before: Token | None, clause: bool) -> str:
    """Whether a "(" opens an expression (FILTER, BIND, a call, a SELECT expression) or a list."""
    if not stack or stack[-1] == "expr" or clause or prev is None:
        return "expr"
    if prev.kind == "word":
        return "list" if prev.value.lower() == "values" else "expr"
    if prev.kind in ("iri", "pname") and before is not None and before.kind == "word":
        return "expr"  # FILTER <function>(...)
    return "list"  # a collection, a row of VALUES, a triple term


def _next(text: str, i: int, spaced: bool, stack: list[str], prev: Token | None, before: Token | None) -> Token:
    c = text[i]
    if c in "'\"":
        m = _STRING.match(text, i)
        if not m:
            raise QueryError(
                f"the query is not valid SPARQL at {_where(text, i)}: a string is not closed or has a bad escape"
            )
        quote = 3 if text.startswith(c * 3, i) else 1
        body = m.group(0)[quote:-quote]
        try:
            value = _STRING_ESCAPE.sub(_decode, body)
        except ValueError as err:
            raise QueryError(f"the query is not valid SPARQL at {_where(text, i)}: {err}") from err
        return Token("string", value, i, m.end(), spaced)
    if c == "<":
        # Oxigraph's parser takes "<" for less-than right after an operand inside an expression,
        # and for the start of an IRI (or "<<") everywhere else.
        operator = (
            stack
            and stack[-1] == "expr"
            and prev is not None
            and (
                prev.kind in _OPERANDS
                or (prev.kind == "word" and prev.value.lower() in ("true", "false"))
                or (prev.kind == "punct" and prev.value in (")", "]"))
            )
        )
        if not operator:
            m = _IRI.match(text, i)
            if m:
                try:
                    value = _ESCAPE.sub(_decode, m.group(1))
                except ValueError:
                    value = "\x00"
                if _IRI_CHARS.fullmatch(value):
                    return Token("iri", value, i, m.end(), spaced)
        punct = "<=" if text.startswith("<=", i) else "<<" if text.startswith("<<", i) and not operator else "<"
        return Token("punct", punct, i, i + len(punct), spaced)
    if c in "?$":
        m = _VAR.match(text, i)
        if m:
            return Token("var", m.group(1), i, m.end(), spaced)
    if c == "_" and text.startswith("_:", i):
        m = _BNODE.match(text, i)
        if m:
            return Token("bnode", m.group(0)[2:], i, m.end(), spaced)
    if c == "@":
        m = _LANGTAG.match(text, i)
        if m:
            return Token("langtag", m.group(0)[1:], i, m.end(), spaced)
    if c.isdigit() or (c == "." and text[i + 1 : i + 2].isdigit()):
        m = _NUMBER.match(text, i)
        if m:
            return Token("number", m.group(0), i, m.end(), spaced)
    m = _NAME.match(text, i)  # matches, if only the empty string
    if m and m.group(2) is not None:
        return Token("pname", m.group(0), i, m.end(), spaced)
    if m and m.group(1) is not None:
        return Token("word", m.group(0), i, m.end(), spaced)
    m = _PUNCT.match(text, i)
    if m:
        return Token("punct", m.group(0), i, m.end(), spaced)
    raise QueryError(f"the query is not valid SPARQL at {_where(text, i)}: unexpected character {c!r}")


def read_query(text: str) -> QueryReading:
    """Read a query as the engine will, and refuse it if it could reach beyond the library's store.

    Refused with ``QueryRefused``: updates, ``LOAD``, ``SERVICE`` (a request to another
    endpoint) and ``FROM``/``FROM NAMED`` (a dataset other than the library's), wherever a
    parser could read one: keywords are matched case-insensitively and without a word
    boundary, as Oxigraph's parser matches them (``SERVICESILENT``, ``SERVICE:x`` with the
    empty prefix). A query whose two readings (escapes in strings and IRIs only, or escapes
    everywhere first) differ is refused too; one that cannot be read gets a ``QueryError``.

    Examples
    --------
    >>> reading = read_query('SELECT ?s WHERE { ?s ?p "SERVICE from a string" }')
    >>> reading.form, sorted(reading.variables)
    ('SELECT', ['p', 's'])
    >>> read_query('SELECT * WHERE { BIND("\\\\u000A#" AS ?x) SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }')
    Traceback (most recent call last):
    ...
    graphkit.errors.QueryRefused: SERVICE is refused: a query runs on the library only, never on another endpoint
    """
    readings: list[list[Token]] = []
    failures: list[QueryError] = []
    for unescape_first in (False, True):
        try:
            readings.append(read_tokens(text, unescape_first))
        except QueryError as err:
            failures.append(err)
    for tokens in readings:
        _refuse(tokens)
    if failures:
        raise failures[0]
    engine, spec = readings
    if [(t.kind, t.value) for t in engine] != [(t.kind, t.value) for t in spec]:
        raise QueryRefused(
            "the query reads differently with its \\u escapes applied first (write those characters as they are;"
            ' inside a string, \\" and \\\\ stand for a quote and a backslash)'
        )
    for token in engine:
        if token.kind == "word" and token.value.upper() in FORMS:
            return QueryReading(token.value.upper(), frozenset(t.value for t in engine if t.kind == "var"))
        if token.kind == "word" and token.value.lower() not in ("prefix", "base"):
            break
    raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def _refuse(tokens: list[Token]) -> None:
    previous: Token | None = None
    for token in tokens:
        for keyword in _hidden_keywords(token, previous):
            if keyword == "service":
                raise QueryRefused("SERVICE is refused: a query runs on the library only, never on another endpoint")
            raise QueryRefused("FROM is refused: a query runs on the library's own data (drop the FROM clause)")
        if token.kind == "word" and token.value.lower() in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"{token.value.upper()} is refused: graphkit runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
            )
        previous = token


def _hidden_keywords(token: Token, previous: Token | None) -> list[str]:
    """``service`` or ``from`` wherever a parser could start reading it as a keyword inside this token.

    Oxigraph matches keywords with no word boundary, so ``trueSERVICE`` or ``SERVICE:x`` hold
    one; strings, IRIs, language tags and names (read whole) cannot, except after a dot or
    colon inside a name, where parsers differ on where a prefixed name ends.
    """
    value = token.value.lower()
    keywords = ("service", "from")
    if token.kind == "word":
        return [k for k in keywords if k in value]
    if token.kind == "bnode":
        return [k for k in keywords if any(part.startswith(k) for part in value.split("."))]
    if token.kind == "pname":
        prefix, _, local = value.partition(":")
        after = [local[j + 1 :] for j, c in enumerate(local) if c in ".:"]
        return [k for k in keywords if k in prefix or any(rest.startswith(k) for rest in after)]
    if token.kind == "var" and not token.spaced and previous is not None:
        if previous.kind in ("iri", "pname") or previous.value in (")", "a"):
            # "?" right after a path step may be read as the zero-or-one modifier
            return [k for k in keywords if k in value]
    return []
