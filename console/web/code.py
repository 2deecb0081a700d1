"""The function page's Code tab: the function's files, read-only, the chosen one highlighted on the server.

Highlighting is Pygments' HtmlFormatter with CSS classes (static/code-highlight.css holds its "default" style), so the
page needs no inline style or script under the console's Content-Security-Policy.
"""

from __future__ import annotations

from flask import request
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from console import get_console
from console.core.code_files import CodePathError, CodeText, handler_file
from console.core.function_rules import FunctionError
from console.web import bp
from console.web.rendering import render

_FORMATTER = HtmlFormatter(cssclass="highlight", linenos="table", lineanchors="line", anchorlinenos=True)


def highlighted(file: CodeText) -> Markup:
    """The file's text as highlighted HTML (plain text for a kind of file Pygments does not know)."""
    try:
        lexer = get_lexer_for_filename(file.path, file.text or "")
    except ClassNotFound:
        lexer = TextLexer()
    return Markup(highlight(file.text or "", lexer, _FORMATTER))  # Pygments escapes the text


@bp.get("/functions/<name>/code")
def code_tab(name: str) -> tuple[str, int]:
    console = get_console()
    function = console.get_function(name)
    context: dict[str, object] = {"function": function, "tab": "code", "files": [], "file": None, "problem": "",
                                  "handler_path": handler_file(function.handler)}
    status = 200
    try:
        files = console.code_files(name)
        context["files"] = files
        wanted = request.args.get("path")
        if wanted is None and files:
            wanted = files[0].path  # the handler's file when it is there
        if wanted is not None:
            file = console.read_code_file(name, wanted)
            context["file"] = file
            context["chosen"] = file.path
            if file.text is not None:
                context["highlighted"] = highlighted(file)
    except CodePathError as exc:
        context["problem"], status = str(exc), 400
    except FunctionError as exc:  # the function's folder is gone
        context["problem"], status = str(exc), 409
    return render("function.html", "_function_body.html", status, **context)
