"""The schema generator's view of a class whose module Cython compiled (cassandra-driver's wheels):
its methods are not Python functions, and its source is the `.py` shipped beside the `.so`."""

from __future__ import annotations

import sys
import types

from lintkit.generators.library_view import class_members, source_file


class cython_function_or_method:  # noqa: N801 - the name Cython gives its function type
    """A stand-in with the type name of a function Cython compiled."""

    def __call__(self, *args, **kwargs):
        return None

    def __get__(self, instance, owner=None):
        return self


def test_a_compiled_function_is_a_method_not_an_attribute() -> None:
    Cluster = type("Cluster", (), {"connect": cython_function_or_method(), "port": 9042})
    attributes, methods = class_members(Cluster)
    assert "connect" in methods and "connect" not in attributes
    assert "port" in attributes


def test_the_source_of_a_compiled_module_is_the_py_beside_it(tmp_path) -> None:
    (tmp_path / "cluster.py").write_text("class Cluster:\n    def connect(self):\n        self.session = 1\n")
    module = types.ModuleType("lintkit_compiled_probe")
    module.__file__ = str(tmp_path / "cluster.cpython-311-x86_64-linux-gnu.so")
    Cluster = type("Cluster", (), {"__module__": module.__name__, "connect": cython_function_or_method()})
    module.Cluster = Cluster
    sys.modules[module.__name__] = module
    try:
        assert source_file(Cluster) == str(tmp_path / "cluster.py")
        attributes, methods = class_members(Cluster)
        assert "session" in attributes  # read from the .py: connect() assigns it
    finally:
        del sys.modules[module.__name__]
