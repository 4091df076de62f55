"""The shape of the code: the largest modules and functions, with their complexity.

Prints the N largest modules (lines of code, tests and migrations excluded) and the N
longest functions with their cyclomatic complexity (McCabe's count: 1 + each if/elif,
loop, except, conditional expression, comprehension filter, match case, and each extra
operand of and/or). Used for the before/after of issue 9 (docs/figures.md).

    python bench/shape.py [N]
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "motcua"
DECISIONS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.ExceptHandler, ast.match_case)


def complexity(fn: ast.AST) -> int:
    n = 1
    for node in ast.walk(fn):
        if node is not fn and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue  # nested functions count alone (ast.walk still visits their bodies)
        if isinstance(node, DECISIONS):
            n += 1
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            n += len(node.ifs)
    return n


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        yield path


def main(top: int = 12) -> None:
    modules, functions = [], []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT.parent)
        modules.append((len(text.splitlines()), str(rel)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                functions.append((length, complexity(node), f"{rel}:{node.lineno} {node.name}"))
    modules.sort(reverse=True)
    functions.sort(reverse=True)
    print(f"{'lines':>6}  module")
    for lines, name in modules[:top]:
        print(f"{lines:>6}  {name}")
    print(f"\n{'lines':>6} {'cc':>4}  function")
    for lines, cc, name in functions[:top]:
        print(f"{lines:>6} {cc:>4}  {name}")
    worst = sorted(functions, key=lambda f: -f[1])[:top]
    print(f"\n{'cc':>4} {'lines':>6}  most complex")
    for lines, cc, name in worst:
        print(f"{cc:>4} {lines:>6}  {name}")
    print(
        f"\nfunctions over 80 lines: {sum(1 for f in functions if f[0] > 80)}; "
        f"over complexity 20: {sum(1 for f in functions if f[1] > 20)}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
