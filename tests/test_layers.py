"""The layers run one way (docs/architecture.md): the import-linter contracts of pyproject.toml hold, and no
module below the screens imports our own code inside a function, where an import would hide a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parent.parent
LOWER = ("core", "models", "scheduling", "documents", "services")


def test_the_import_contracts_hold(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    configure()
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    printed = capsys.readouterr().out
    assert kept, printed  # the broken contract and the imports that break it
    assert "Contracts: 2 kept, 0 broken." in printed


def test_no_lower_layer_hides_an_import_of_our_own_code_in_a_function():
    hidden = []
    for layer in LOWER:
        for path in (ROOT / "clinic" / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (
                        inner.level > 0 or (inner.module or "").startswith("clinic")
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
