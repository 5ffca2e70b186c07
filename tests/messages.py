"""Every message the launcher can print, read off its source with `ast` (for tests/test_docs.py).

A message is collected as a template: its constant text, with a wildcard (None) for each
hole of an f-string that is not a constant. Nothing here imports the launcher, and names
are resolved by name across the whole package, so the collector survives modules moving.

Where messages come from (each a way the code makes them today):
1. `raise` of an error: a call to a class derived from one whose name ends in `Error` in the
   package (LaunchError, UsageError, ConfigError), made into its text as its `__init__` makes
   it (ConfigError's `FILE:LINE: ` included), or a call to a function that returns or raises
   one (`self.error(row, "...")`, `_refuse(doc, node, "...")`, `cannot_run(...)`).
2. A call to a package function whose `raise` statements use the arguments (`_check_scalars(doc,
   item, "...")`): those raises, with the arguments in place.
3. `yield` of text anywhere in the package: the warning generators.
4. `print(..., file=sys.stderr)`: the warning loop and the summary lines, followed into the
   lists the warnings are gathered in (`found += ...`, `.append(...)`, a record's field).
A hole filled by a call to a package function (`{refused}`, `{reason}`, `{summary(...)}`) is
a wildcard in its message, and what that function returns is collected as a message part
of its own: the page lists the parts too. A local variable bound to text is followed, branch
by branch. A `NAME.get(key, default)` on a module-level table of texts gives each text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

WILD = None
Piece = Union[str, None, "Hole"]
Template = tuple[Piece, ...]
Templates = frozenset[Template]


@dataclass(frozen=True)
class Hole:
    """A hole filled by what a package function returns: those texts are message parts."""

    parts: Templates


_WILD_ONLY: Templates = frozenset({(WILD,)})
_EMPTY: Templates = frozenset()
_LIMIT = 400  # templates an expression may stand for before it is taken as a wildcard
_PREFIXES = ("fluent-launch: warning: ", "fluent-launch: ")


def _concat(left: Template, right: Template) -> Template:
    pieces: list[Piece] = list(left)
    for piece in right:
        if pieces and isinstance(piece, str) and isinstance(pieces[-1], str):
            pieces[-1] += piece
        elif pieces and piece is WILD and pieces[-1] is WILD:
            continue
        elif piece != "":
            pieces.append(piece)
    return tuple(pieces)


def _product(parts: list[Templates]) -> Templates:
    result: set[Template] = {()}
    for options in parts:
        if not options:
            return _EMPTY
        result = {_concat(left, right) for left in result for right in options}
        if len(result) > _LIMIT:
            return _WILD_ONLY
    return frozenset(result)


# A thunk: how a name got its value, evaluated only when a message needs it.
# ("value", expr, scope), ("element", expr, scope), ("param", name), ("append", previous, expr, scope), ("wild",)
Thunk = tuple[object, ...]
Env = dict[str, tuple[Thunk, ...]]


@dataclass(eq=False)
class Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str
    cls: str | None
    params: list[str]
    generator: bool
    tested: frozenset[str]  # parameters the function compares or branches on
    # The environment before each statement that holds a node of interest, by node id.
    scopes: dict[int, Env] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Scope:
    """Where an expression is evaluated: the function, its variables there, and what the
    caller passed for its parameters (None: a wildcard each)."""

    function: Function | None
    env: tuple[tuple[str, tuple[Thunk, ...]], ...]
    binding: tuple[tuple[str, Thunk, Scope], ...] | None

    def lookup(self, name: str) -> tuple[Thunk, ...] | None:
        for key, thunks in self.env:
            if key == name:
                return thunks
        return None

    def bound(self, name: str) -> tuple[Thunk, Scope] | None:
        for key, thunk, scope in self.binding or ():
            if key == name:
                return thunk, scope
        return None


_Evaluator = Callable[[ast.expr, Scope], Templates]


class Collector:
    def __init__(self, sources: dict[str, str]) -> None:
        self.trees = {name: ast.parse(source, name) for name, source in sources.items()}
        self.functions: dict[str, list[Function]] = {}
        self.constants: dict[str, list[ast.expr]] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.calls: list[tuple[ast.Call, Scope]] = []
        self.raises: list[tuple[ast.expr, Scope]] = []
        self.yields: list[tuple[ast.expr, bool, Scope]] = []
        self.prints: list[tuple[ast.expr, Scope]] = []
        self._busy: set[tuple[int, int]] = set()
        self._expanding: set[int] = set()  # functions whose results are being read (recursion)
        for module, tree in self.trees.items():
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    self.constants.setdefault(node.targets[0].id, []).append(node.value)
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                    self.constants.setdefault(node.target.id, []).append(node.value)
            for found in ast.walk(tree):
                if isinstance(found, ast.ClassDef):
                    self.classes[found.name] = found
                    for item in found.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            self._add_function(item, module, found.name)
            for statement in tree.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._add_function(statement, module, None)
        # A module variable a function assigns (`global last_path`) is no constant text.
        for tree in self.trees.values():
            for inner in ast.walk(tree):
                if isinstance(inner, ast.Global):
                    for name in inner.names:
                        self.constants.pop(name, None)
        self.errors = {name for name in self.classes if self._is_error(name, set())}
        for functions in self.functions.values():
            for function in functions:
                self._interpret(function)

    # -- reading the package ------------------------------------------------------------

    def _add_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, module: str, cls: str | None) -> None:
        params = [arg.arg for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]]
        if cls is not None and params and params[0] in ("self", "cls"):
            params = params[1:]
        generator = any(
            isinstance(inner, (ast.Yield, ast.YieldFrom)) and self._owner(node, inner) for inner in ast.walk(node)
        )
        tested = set()
        for inner in ast.walk(node):
            tests: list[ast.expr] = [inner] if isinstance(inner, ast.Compare) else []
            if isinstance(inner, (ast.If, ast.IfExp, ast.While)):
                tests.append(inner.test)
            tests += inner.values if isinstance(inner, ast.BoolOp) else []
            for test in tests:
                tested |= {name.id for name in ast.walk(test) if isinstance(name, ast.Name) and name.id in params}
        self.functions.setdefault(node.name, []).append(
            Function(node, module, cls, params, generator, frozenset(tested))
        )

    @staticmethod
    def _owner(function: ast.AST, target: ast.AST) -> bool:
        """Whether `target` belongs to `function` itself, not to a function or lambda inside it."""
        stack: list[ast.AST] = list(ast.iter_child_nodes(function))
        while stack:
            node = stack.pop()
            if node is target:
                return True
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.extend(ast.iter_child_nodes(node))
        return False

    def _is_error(self, name: str, seen: set[str]) -> bool:
        node = self.classes.get(name)
        if node is None or name in seen:
            return False
        seen.add(name)
        for base in node.bases:
            base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
            if base_name in self.classes:
                if self._is_error(base_name, seen):
                    return True
            elif base_name.endswith(("Error", "Exception")):
                return name.endswith("Error")
        return False

    def _interpret(self, function: Function) -> None:
        """Walk the function's statements in order, keeping what each local name may hold."""
        env: Env = {param: (("param", param),) for param in function.params}
        self._statements(function, function.node.body, env)

    def _scope(self, function: Function, env: Env) -> Scope:
        return Scope(function, tuple(env.items()), None)

    def _note(self, function: Function, statement: ast.stmt, env: Env) -> None:
        scope = self._scope(function, env)
        for node in self._own_nodes(statement):
            if isinstance(node, ast.Call):
                self.calls.append((node, scope))
                if isinstance(node.func, ast.Name) and node.func.id == "print" and _to_stderr(node):
                    self.prints.extend((arg, scope) for arg in node.args)
            elif isinstance(node, ast.Yield) and node.value is not None:
                self.yields.append((node.value, False, scope))
            elif isinstance(node, ast.YieldFrom):
                self.yields.append((node.value, True, scope))
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            self.raises.append((statement.exc, scope))
        if isinstance(statement, ast.Return):
            function.scopes[id(statement)] = env

    def _own_nodes(self, statement: ast.stmt) -> list[ast.AST]:
        found: list[ast.AST] = []
        stack: list[ast.AST] = [statement]
        while stack:
            node = stack.pop()
            found.append(node)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.stmt)):
                    continue
                stack.append(child)
        return found

    def _statements(self, function: Function, body: list[ast.stmt], env: Env) -> Env:
        for statement in body:
            env = self._statement(function, statement, env)
        return env

    def _statement(self, function: Function, statement: ast.stmt, env: Env) -> Env:
        self._note(function, statement, env)
        scope = self._scope(function, env)
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if statement.value is None:
                return env
            env = dict(env)
            for target in targets:
                self._bind(target, ("value", statement.value, scope), env)
            return env
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            env = dict(env)
            name = statement.target.id
            previous = env.get(name, (("wild",),))
            env[name] = (
                (("append", previous, statement.value, scope),) if isinstance(statement.op, ast.Add) else (("wild",),)
            )
            return env
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and statement.value.func.attr in ("append", "extend")
            and isinstance(statement.value.func.value, ast.Name)
            and statement.value.args
        ):
            env = dict(env)
            name = statement.value.func.value.id
            added = statement.value.args[0]
            if statement.value.func.attr == "append":
                added = ast.List(elts=[added], ctx=ast.Load())
            env[name] = (("append", env.get(name, (("wild",),)), added, scope),)
            return env
        if isinstance(statement, ast.If):
            return _merge(
                self._statements(function, statement.body, env), self._statements(function, statement.orelse, env)
            )
        if isinstance(statement, (ast.For, ast.AsyncFor)):
            inner = dict(env)
            self._bind(statement.target, ("element", statement.iter, scope), inner)
            after = _merge(env, self._statements(function, statement.body, inner))
            return self._statements(function, statement.orelse, after)
        if isinstance(statement, ast.While):
            after = _merge(env, self._statements(function, statement.body, env))
            return self._statements(function, statement.orelse, after)
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            inner = dict(env)
            for item in statement.items:
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, ("wild",), inner)
            return self._statements(function, statement.body, inner)
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            tried = self._statements(function, statement.body, env)  # type: ignore[attr-defined]
            merged = _merge(env, tried)
            for handler in statement.handlers:  # type: ignore[attr-defined]
                inner = dict(merged)
                if handler.name:
                    inner[handler.name] = (("wild",),)
                merged = _merge(merged, self._statements(function, handler.body, inner))
            merged = _merge(merged, self._statements(function, statement.orelse, tried))  # type: ignore[attr-defined]
            return self._statements(function, statement.finalbody, merged)  # type: ignore[attr-defined]
        return env

    def _bind(self, target: ast.expr, thunk: Thunk, env: Env) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = (thunk,)
        elif (
            isinstance(target, ast.Tuple)
            and thunk[0] == "value"
            and isinstance(thunk[1], ast.Tuple)
            and len(thunk[1].elts) == len(target.elts)
            and not any(isinstance(element, ast.Starred) for element in (*target.elts, *thunk[1].elts))
        ):
            for element, value in zip(target.elts, thunk[1].elts):
                self._bind(element, ("value", value, thunk[2]), env)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element.value if isinstance(element, ast.Starred) else element, ("wild",), env)

    # -- evaluating ----------------------------------------------------------------------

    def value(self, expr: ast.expr, scope: Scope) -> Templates:
        """The texts `expr` may be, as templates; a wildcard for what is no text we can read."""
        key = (id(expr), id(scope))
        if key in self._busy:
            return _WILD_ONLY
        self._busy.add(key)
        try:
            return self._value(expr, scope)
        finally:
            self._busy.discard(key)

    def _value(self, expr: ast.expr, scope: Scope) -> Templates:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                return frozenset({(expr.value,)})
            return _EMPTY if expr.value is None else _WILD_ONLY
        if isinstance(expr, ast.JoinedStr):
            parts: list[Templates] = []
            for part in expr.values:
                if isinstance(part, ast.FormattedValue):
                    plain = part.conversion in (-1, ord("s")) and part.format_spec is None
                    table = self._table_get(part.value, scope) if plain and isinstance(part.value, ast.Call) else None
                    parts.append(table if table is not None else self.value(part.value, scope) if plain else _WILD_ONLY)
                else:
                    parts.append(self.value(part, scope))
            return _product(parts)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _product([self.value(expr.left, scope), self.value(expr.right, scope)])
        if isinstance(expr, ast.IfExp):
            return self.value(expr.body, scope) | self.value(expr.orelse, scope)
        if isinstance(expr, ast.BoolOp):
            values = expr.values if isinstance(expr.op, ast.Or) else expr.values[-1:]
            return frozenset().union(*(self.value(value, scope) for value in values))
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, self.value)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.attr in self.constants
            and scope.lookup(expr.value.id) is None
            and expr.value.id != "self"
        ):
            return self._constant(expr.attr, self.value)  # another module's constant: values.RETRY_FORMS
        if isinstance(expr, ast.Call):
            return self._call(expr, scope)
        return _WILD_ONLY

    def _name(self, name: str, scope: Scope, how: _Evaluator) -> Templates:
        thunks = scope.lookup(name) if scope.function is not None else None
        if thunks is None:
            return self._constant(name, how) if name in self.constants else _WILD_ONLY
        return frozenset().union(*(self._thunk(thunk, scope, how) for thunk in thunks))

    def _constant(self, name: str, how: _Evaluator) -> Templates:
        top = Scope(None, (), None)
        return frozenset().union(*(how(value, top) for value in self.constants[name]))

    def _thunk(self, thunk: Thunk, scope: Scope, how: _Evaluator) -> Templates:
        kind = thunk[0]
        if kind == "param":
            bound = scope.bound(str(thunk[1]))
            return _WILD_ONLY if bound is None else self._thunk(bound[0], bound[1], how)
        if kind == "wild":
            return _WILD_ONLY
        where = thunk[-1]
        assert isinstance(where, Scope)
        here = Scope(where.function, where.env, scope.binding)
        if kind == "value":
            expr = thunk[1]
            assert isinstance(expr, ast.expr)
            return how(expr, here)
        if kind == "element":
            expr = thunk[1]
            assert isinstance(expr, ast.expr)
            return self.elements(expr, here) if how == self.value else _WILD_ONLY
        # "append": a list grown (`found += ...`, `.append(...)`) or a text (`told += "..."`)
        previous, added = thunk[1], thunk[2]
        assert isinstance(previous, tuple) and isinstance(added, ast.expr)
        before = frozenset().union(*(self._thunk(old, scope, how) for old in previous))
        if how == self.elements:
            return before | self.elements(added, here)
        return _product([before, self.value(added, here)])

    def _functions(self, call: ast.Call, scope: Scope) -> list[Function]:
        func = call.func
        if isinstance(func, ast.Name):
            if scope.lookup(func.id) is not None:
                return []
            return self.functions.get(func.id, [])
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "self" and scope.function is not None:
                own = [f for f in self.functions.get(func.attr, []) if f.cls == scope.function.cls]
                return own or [f for f in self.functions.get(func.attr, []) if f.cls is not None]
            if scope.lookup(func.value.id) is None and func.value.id not in self.constants:
                # a module's function (`values.refusal`, `known.check_overrides`)
                return [f for f in self.functions.get(func.attr, []) if f.cls is None]
        return []

    def _binding(self, function: Function, call: ast.Call, scope: Scope) -> tuple[tuple[str, Thunk, Scope], ...]:
        """What the call passes for each parameter the callee may put in a message. A parameter
        the callee tests (`if kind == SERVICE`) is left a wildcard, as is an empty text: the
        collector does not follow branches by value, and would pair texts that never meet."""
        given: list[tuple[str, ast.expr]] = []
        for param, arg in zip(function.params, call.args):
            if isinstance(arg, ast.Starred):
                break
            given.append((param, arg))
        given += [(keyword.arg, keyword.value) for keyword in call.keywords if keyword.arg in function.params]
        return tuple(
            (param, ("value", arg, scope), scope)
            for param, arg in given
            if param not in function.tested and not (isinstance(arg, ast.Constant) and arg.value == "")
        )

    def _call(self, call: ast.Call, scope: Scope) -> Templates:
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name in self.errors:
            return self._error_text(name, call, scope)
        functions = self._functions(call, scope)
        if not functions:
            return _WILD_ONLY
        parts: set[Template] = set()
        for function in functions:
            if id(function) in self._expanding:
                continue
            self._expanding.add(id(function))
            try:
                parts |= self._returned(function, call, scope)
            finally:
                self._expanding.discard(id(function))
        return frozenset({(Hole(frozenset(parts)),)}) if parts else _WILD_ONLY

    def _returned(self, function: Function, call: ast.Call, scope: Scope) -> set[Template]:
        """The texts a call of `function` returns, with what it passes for its parameters."""
        parts: set[Template] = set()
        binding = self._binding(function, call, scope)
        for statement in self._returns(function):
            assert statement.value is not None
            env = tuple(function.scopes[id(statement)].items())
            parts |= self.value(statement.value, Scope(function, env, binding))
        return parts

    def _table_get(self, call: ast.Call, scope: Scope) -> Templates | None:
        """`TABLE.get(key, default)` on a module-level dict of texts: each text, and the default."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Name)):
            return None
        if scope.lookup(func.value.id) is not None:
            return None
        tables = [value for value in self.constants.get(func.value.id, []) if isinstance(value, ast.Dict)]
        if not tables:
            return None
        texts = [value for table in tables for value in table.values]
        if not all(isinstance(text, ast.Constant) and isinstance(text.value, str) for text in texts):
            return None
        found = frozenset().union(*(self.value(text, scope) for text in texts))
        return found | (self.value(call.args[1], scope) if len(call.args) > 1 else _EMPTY)

    def _returns(self, function: Function) -> list[ast.Return]:
        return [
            node
            for node in ast.walk(function.node)
            if isinstance(node, ast.Return) and node.value is not None and id(node) in function.scopes
        ]

    def _error_text(self, name: str, call: ast.Call, scope: Scope) -> Templates:
        """The text of an error made by `name(...)`: what its __init__ hands to the base class."""
        node = self.classes[name]
        init = next((f for f in self.functions.get("__init__", []) if f.cls == name), None)
        if init is None:
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in self.errors:
                    return self._error_text(base.id, call, scope)
            return self.value(call.args[0], scope) if call.args else _EMPTY
        binding = self._binding(init, call, scope)
        for inner in ast.walk(init.node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "__init__"
                and inner.args
            ):
                env = self._scope(init, {param: (("param", param),) for param in init.params})
                return self.value(inner.args[0], Scope(init, env.env, binding))
        return _EMPTY

    def elements(self, expr: ast.expr, scope: Scope) -> Templates:
        """The texts of the elements of what `expr` is (a list, a generator, a call's result)."""
        key = (id(expr), -id(scope))
        if key in self._busy:
            return _WILD_ONLY
        self._busy.add(key)
        try:
            return self._elements(expr, scope)
        finally:
            self._busy.discard(key)

    def _elements(self, expr: ast.expr, scope: Scope) -> Templates:
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            found: set[Template] = set()
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    found |= self.elements(element.value, scope)
                else:
                    found |= self.value(element, scope)
            return frozenset(found)
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            env = dict(scope.env)
            for generator in expr.generators:
                if isinstance(generator.target, ast.Name):
                    env[generator.target.id] = (("element", generator.iter, scope),)
                else:
                    for name in ast.walk(generator.target):
                        if isinstance(name, ast.Name):
                            env[name.id] = (("wild",),)
            return self.value(expr.elt, Scope(scope.function, tuple(env.items()), scope.binding))
        if isinstance(expr, (ast.BinOp, ast.BoolOp, ast.IfExp)):
            children = (
                [expr.left, expr.right]
                if isinstance(expr, ast.BinOp)
                else expr.values
                if isinstance(expr, ast.BoolOp)
                else [expr.body, expr.orelse]
            )
            return frozenset().union(*(self.elements(child, scope) for child in children))
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, self.elements)
        if isinstance(expr, ast.Attribute):
            return self._field(expr.attr)
        if isinstance(expr, ast.Constant):
            return _EMPTY
        if isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Name) and expr.func.id in ("list", "sorted", "iter", "tuple", "set"):
                return self.elements(expr.args[0], scope) if expr.args else _EMPTY
            parts: set[Template] = set()
            for function in self._functions(expr, scope):
                if id(function) in self._expanding:
                    continue
                self._expanding.add(id(function))
                try:
                    parts |= self._produced(function, expr, scope)
                finally:
                    self._expanding.discard(id(function))
            return frozenset({(Hole(frozenset(parts)),)}) if parts else _WILD_ONLY
        return _WILD_ONLY

    def _produced(self, function: Function, expr: ast.Call, scope: Scope) -> set[Template]:
        """The elements of what a call of `function` gives: its yields, or its returns' elements."""
        parts: set[Template] = set()
        binding = self._binding(function, expr, scope)
        if function.generator:
            for value, whole, at in self.yields:
                if at.function is function:
                    here = Scope(function, at.env, binding)
                    parts |= self.elements(value, here) if whole else self.value(value, here)
        else:
            for statement in self._returns(function):
                assert statement.value is not None
                here = Scope(function, tuple(function.scopes[id(statement)].items()), binding)
                parts |= self.elements(statement.value, here)
        return parts

    def _field(self, name: str) -> Templates:
        """A record's field (`budget.warnings`): what each construction of the record puts there."""
        found: set[Template] = set()
        for cls, node in self.classes.items():
            fields = [
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            ]
            if name not in fields:
                continue
            index = fields.index(name)
            for call, scope in self.calls:
                if isinstance(call.func, ast.Name) and call.func.id == cls:
                    args = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
                    given = args[index] if index < len(args) else None
                    given = next((k.value for k in call.keywords if k.arg == name), given)
                    if given is not None:
                        found |= self.elements(given, scope)
        return frozenset(found) or _WILD_ONLY

    # -- what the launcher prints ----------------------------------------------------------

    def raised_by_call(
        self, function: Function, binding: tuple[tuple[str, Thunk, Scope], ...], depth: int
    ) -> Templates:
        """What `function` raises with these arguments, and what the functions it passes them
        to raise with them."""
        found: set[Template] = set()
        names = {name for name, _, _ in binding}
        for exc, at in self.raises:
            if at.function is function:
                found |= self.value(exc, Scope(function, at.env, binding))
        if depth < 3:
            for call, at in self.calls:
                if at.function is not function or not any(_mentions(arg, names) for arg in _arguments(call)):
                    continue
                here = Scope(function, at.env, binding)
                for callee in self._functions(call, here):
                    found |= self.raised_by_call(callee, self._binding(callee, call, here), depth + 1)
        return frozenset(found)

    def messages(self) -> set[Template]:
        """Every message and message part, each a template, those with no word in them left out."""
        found: set[Template] = set()
        for exc, scope in self.raises:
            found |= self.value(exc, scope)
        for call, scope in self.calls:
            if any(isinstance(arg, (ast.Constant, ast.JoinedStr, ast.BinOp)) for arg in _arguments(call)):
                for callee in self._functions(call, scope):
                    found |= self.raised_by_call(callee, self._binding(callee, call, scope), 0)
        for value, whole, scope in self.yields:
            found |= self.elements(value, scope) if whole else self.value(value, scope)
        for arg, scope in self.prints:
            found |= {_unprefixed(template) for template in self.value(arg, scope)}
        every: set[Template] = set()
        _flatten(found, every)
        return {template for template in every if _worded(template)}


def _merge(left: Env, right: Env) -> Env:
    merged = dict(left)
    for name, thunks in right.items():
        merged[name] = tuple(dict.fromkeys((*merged.get(name, ()), *thunks)))
    return merged


def _to_stderr(call: ast.Call) -> bool:
    return any(
        keyword.arg == "file" and isinstance(keyword.value, ast.Attribute) and keyword.value.attr == "stderr"
        for keyword in call.keywords
    )


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(keyword.value for keyword in call.keywords)]


def _mentions(expr: ast.expr, names: set[str]) -> bool:
    return any(isinstance(node, ast.Name) and node.id in names for node in ast.walk(expr))


def _unprefixed(template: Template) -> Template:
    first = template[0] if template else None
    if isinstance(first, str):
        for prefix in _PREFIXES:
            if first.startswith(prefix):
                return (first[len(prefix) :], *template[1:]) if first != prefix else template[1:]
    return template


def _flatten(templates: set[Template] | Templates, into: set[Template]) -> None:
    """Each template with its holes as wildcards, and the parts of those holes, into `into`."""
    for template in templates:
        plain: Template = ()
        for piece in template:
            if isinstance(piece, Hole):
                _flatten(piece.parts, into)
                plain = _concat(plain, (WILD,))
            else:
                plain = _concat(plain, (piece,))
        into.add(plain)


def _worded(template: Template) -> bool:
    """Whether the template's own text has a word (three letters running) to check for."""
    return any(isinstance(piece, str) and re.search(r"[A-Za-z]{3}", piece) for piece in template)


def shown(template: Template) -> str:
    """The template as the page may write it: each wildcard as `...`."""
    return "".join("..." if piece is None else str(piece) for piece in template)


def pattern(template: Template) -> re.Pattern[str]:
    """A page entry that shows the message: its text, in order, anything for each wildcard."""
    return re.compile("".join(".*?" if piece is None else re.escape(str(piece)) for piece in template), re.DOTALL)


def package_sources(root: Path) -> dict[str, str]:
    """The source of every module under `root` (the package, however its modules are laid out)."""
    return {str(path.relative_to(root)): path.read_text() for path in sorted(root.rglob("*.py"))}


def collect(sources: dict[str, str]) -> set[Template]:
    return Collector(sources).messages()
