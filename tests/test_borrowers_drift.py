"""The schemas' `borrowed_by` functions, read from the installed libraries: each uses the
client it is given only for method calls, never keeps, returns or closes it."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap

import pytest

from lintkit.schemas.registry import load_schema_set

BORROWERS = sorted({(cls.name, borrower) for library in load_schema_set(()).libraries
                    for cls in library.classes for borrower in cls.borrowed_by})


def test_some_class_lists_borrowers() -> None:
    assert ("paramiko.client.SSHClient", "oslo_concurrency.processutils.ssh_execute") in BORROWERS


@pytest.mark.parametrize(("cls", "borrower"), BORROWERS)
def test_borrower_only_calls_methods_of_the_client(cls: str, borrower: str) -> None:
    module_name, _, function_name = borrower.rpartition(".")
    module = pytest.importorskip(module_name)
    function = inspect.unwrap(getattr(module, function_name))
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    definition = tree.body[0]
    assert isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef))
    client = definition.args.args[0].arg
    parents = {id(child): node for node in ast.walk(definition) for child in ast.iter_child_nodes(node)}
    uses = [node for node in ast.walk(definition) if isinstance(node, ast.Name) and node.id == client]
    assert uses, f"{borrower} never uses {client}"
    for node in uses:
        attribute = parents[id(node)]
        assert isinstance(attribute, ast.Attribute) and isinstance(parents[id(attribute)], ast.Call), \
            f"{borrower} line {node.lineno}: {client} is used otherwise than by calling a method"
        assert attribute.attr not in ("close", "connect"), f"{borrower} ends or reconnects {client}"
