"""Finds text that staff would read but that is not marked for translation.

Templates: the HTML text between tags, the attributes people read (title, placeholder, aria-label, alt,
data-confirm, a button's value), and string literals inside Jinja expressions that read as words
("Check in", "Save the record."), unless they sit inside _(), gettext() or ngettext(). Python: the
first argument of flash(), of a form field (its label), of a validator's message, and of a raised
domain error, when it is a plain string (or an f-string) rather than a marked one; also a domain error's
named values (``unmet=names or "no decision"``: words handed over plain are shown in English on a
German screen), and a plain string as the fallback of ``or`` or a conditional expression.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment
from jinja2.lexer import TOKEN_DATA, TOKEN_NAME, TOKEN_OPERATOR, TOKEN_STRING

WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
# Units and names of standards that read the same in every language (the scanner's dose report, a file's
# checksum): text made only of these is not words to translate.
TECHNICAL = re.compile(r"\b(?:CTDIvol|DLP|mGy|cm|sha256)\b")


def _has_words(text: str) -> bool:
    return bool(WORDS.search(TECHNICAL.sub(" ", text)))


READABLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "data-files", "label"}
MARKERS = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "lazy_ngettext", "N_", "pgettext"}
# A string literal that is code, not words: CSS classes, endpoints, enum and field names, formats.
CODE_LIKE = re.compile(r"^[a-z0-9_.\-:/ #%=\[\]()|,]*$|^[A-Z][A-Za-z]*$|^[A-Z_]+$")
# Jinja calls whose string arguments are names, not words.
NAME_TAKERS = {"url_for", "label", "selectattr", "rejectattr", "map", "attr", "get", "replace", "format"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


class _TextParser(HTMLParser):
    """Collects the text between tags and the attributes people read, with their lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READABLE_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in ("submit", "button")
            )
            if readable and value and _has_words(value.replace(PLACEHOLDER, " ")):
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and _has_words(data.replace(PLACEHOLDER, " ")):
            self.found.append((self.getpos()[0], data))


PLACEHOLDER = " data-jinja "  # an attribute inside a tag, removed from text outside one


def _template_findings(path: Path, root: Path, env: Environment) -> list[Finding]:
    source = path.read_text()
    relative = str(path.relative_to(root))
    findings: list[Finding] = []
    # The page as the HTML parser sees it: the template's own text, with each Jinja tag or expression
    # replaced by a placeholder (keeping its line breaks), so that only literal words remain to be found.
    html: list[str] = []
    in_tag = False
    in_html_tag = False  # the template's own text has opened an HTML tag (<a href=...) and not closed it
    shown = False  # inside {{ }} between HTML tags: what the expression gives is text on the page
    depth: list[str] = []  # the callables whose parentheses we are inside
    previous_name = ""
    for line, kind, value in env.lex(source):
        if kind == TOKEN_DATA:
            html.append(value)
            if "<" in value or ">" in value:
                in_html_tag = value.rfind("<") > value.rfind(">")
            continue
        if kind in ("variable_begin", "block_begin", "comment_begin"):
            in_tag = True
            shown = kind == "variable_begin" and not in_html_tag
            depth.clear()
            html.append(PLACEHOLDER)
        elif kind in ("variable_end", "block_end", "comment_end"):
            in_tag = False
        if in_tag:
            html.append("\n" * value.count("\n"))
        if kind == TOKEN_NAME:
            previous_name = value
            continue
        if kind == TOKEN_OPERATOR and value == "(":
            depth.append(previous_name)
        elif kind == TOKEN_OPERATOR and value == ")":
            if depth:
                depth.pop()
        elif kind == TOKEN_STRING:
            text = ast.literal_eval(value)
            marked = any(name in MARKERS for name in depth) or (depth and depth[-1] in NAME_TAKERS)
            # Words on the page: a literal that reads as words, or one of two words or more printed between
            # tags ({{ name or 'no decision' }}), which a CSS class or a status value would not be.
            printed = shown and not depth and len(WORDS.findall(text)) > 1 and " " in text.strip()
            if not marked and WORDS.search(text) and (printed or not CODE_LIKE.match(text)):
                findings.append(Finding(relative, line, text))
        previous_name = ""
    parser = _TextParser()
    parser.feed("".join(html))
    parser.close()
    for line, text in parser.found:
        cleaned = " ".join(text.replace(PLACEHOLDER, " ").split())
        findings.append(Finding(relative, line, cleaned))
    return findings


def template_findings(folder: Path, root: Path) -> list[Finding]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: list[Finding] = []
    for path in sorted(folder.rglob("*.html")):
        found.extend(_template_findings(path, root, env))
    return found


# --- Python --------------------------------------------------------------------------------------

FIELD = re.compile(r"Field$")
VALIDATORS = {
    "DataRequired",
    "InputRequired",
    "Length",
    "NumberRange",
    "Optional",
    "Email",
    "Regexp",
    "EqualTo",
    "AnyOf",
    "NoneOf",
    "URL",
}
MESSAGE_CARRIERS = {"ValidationError", "StopValidation"}


def _is_plain_text(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and WORDS.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    if isinstance(node, ast.BoolOp):  # a fallback: names or "no decision"
        return any(_is_plain_text(value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _is_plain_text(node.body) or _is_plain_text(node.orelse)
    return False


# A refusal's keyword arguments that are not shown to people: the rest are its sentence's named values.
NOT_VALUES = {"details", "code"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def python_findings(folder: Path, root: Path, *, error_names: set[str]) -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(folder.rglob("*.py")):
        relative = str(path.relative_to(root))
        tree = ast.parse(path.read_text(), filename=relative)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            candidates: list[ast.AST | None] = []
            if name == "flash" and node.args:
                candidates.append(node.args[0])
            elif FIELD.search(name) and name[0].isupper():
                candidates.append(node.args[0] if node.args else None)
                candidates += [k.value for k in node.keywords if k.arg in ("label", "description")]
            elif name in VALIDATORS:
                candidates += [k.value for k in node.keywords if k.arg == "message"]
                if name in ("DataRequired", "InputRequired", "Optional", "Email", "URL") and node.args:
                    candidates.append(node.args[0])
            elif name in MESSAGE_CARRIERS or name in error_names:
                candidates.append(node.args[0] if node.args else None)
                candidates += [k.value for k in node.keywords if k.arg == "message"]
                if name in error_names:  # the sentence's values: words among them are shown as they are
                    candidates += [k.value for k in node.keywords if k.arg and k.arg not in NOT_VALUES | {"message"}]
            for candidate in candidates:
                if _is_plain_text(candidate):
                    text = ast.unparse(candidate)
                    found.append(Finding(relative, node.lineno, text[:80]))
    return found
