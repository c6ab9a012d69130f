"""The set of loaded schemas, indexed by every qualified name a user can write."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

from ..reading.prefilter import ImportPrefilter
from .schema import (
    Address,
    ClassSchema,
    FactorySchema,
    LibrarySchema,
    Override,
    SchemaError,
    Transports,
    NameRange,
    bundled_schema_files,
    expand_schema_paths,
    load_schema_file,
)


@dataclass(frozen=True)
class CallTarget:
    """What a call produces and which keywords it takes."""

    display_name: str
    returns: ClassSchema
    kwargs: frozenset[str] | None
    unknown_kwargs: str
    notes: dict[str, str]
    library: str
    #: Keywords that make the connection a UNIX-domain one (no TCP liveness rules).
    local_kwargs: frozenset[str] = frozenset()
    #: The parameter whose string may carry `key=value` settings (libpq conninfo, URLs).
    settings_argument: str | None = None
    #: Where the call connects to (the item's own facts: a factory does not inherit its class's).
    address: Address = Address()
    #: How the call selects a transport (a class's constructor only: a factory's is unknown).
    transports: Transports = Transports()
    #: Arguments that take over from other keywords (redis `connection_pool=`).
    overrides: tuple[Override, ...] = ()
    #: A factory whose result is a new connection with its receiver's settings (kombu's clone()).
    copies_settings: bool = False
    #: The keyword naming the class that receives unknown keywords (redis `connection_class`).
    kwargs_receiver: str | None = None
    #: The `kwarg`s of the liveness knobs of the class made, inherited ones included (None: unknown).
    knob_kwargs: frozenset[str] | None = None
    #: The versions that have each keyword, where they differ from the schema's version.
    history: tuple[NameRange, ...] = ()
    #: A factory whose own keywords set a liveness knob of what it returns (aiohttp
    #: `session.ws_connect(url, heartbeat=30)`): each call makes a connection judged there.
    own_connection: bool = False


@dataclass(frozen=True)
class Route:
    """How code reaches an object that is part of a client's connection (`SchemaSet.routes`)."""

    returns: ClassSchema
    #: The step from the client, as code writes it after `client.`: `get_transport()`, `_transport`.
    step: str
    #: Methods of the client one of which must have run before the step gives the object.
    ready_after: tuple[str, ...] = ()


class SchemaSet:
    def __init__(self, libraries: Iterable[LibrarySchema]):
        self.libraries = tuple(libraries)
        self.classes: dict[str, ClassSchema] = {}
        self.factories: dict[str, FactorySchema] = {}
        self._by_name: dict[str, ClassSchema] = {}
        self._library_of: dict[str, LibrarySchema] = {}
        #: (file, problem) pairs of the cross-file checks, all reported together.
        self._problems: list[tuple[str, str]] = []
        for lib in self.libraries:
            for cls in lib.classes:
                self._library_of[cls.name] = lib
                self._claim(cls.name, cls, lib)
                self.classes[cls.name] = cls
                for alias in cls.aliases:
                    self._claim(alias, cls, lib)
            for fac in lib.factories:
                self._claim(fac.name, fac, lib)
                self.factories[fac.name] = fac
                for alias in fac.aliases:
                    self._claim(alias, fac, lib)
        self._check_references()
        if not self._problems:
            from .key_sets import reference_problems

            self._problems.extend(reference_problems(self))
        if self._problems:
            raise SchemaError.of(self._problems)

    def _problem(self, origin: str, problem: str) -> None:
        self._problems.append((origin, problem))

    def _claim(self, name: str, item, lib: LibrarySchema) -> None:
        owner = self._by_name.get(name)
        if owner is not None:
            self._problem(lib.origin, f"'{name}' is already defined in {owner.origin}")
            return
        self._by_name[name] = item

    def _check_references(self) -> None:
        """Names that must be schema classes; the checks that follow them run once they all are."""
        for cls in self.classes.values():
            for base in cls.bases:
                if not isinstance(self._by_name.get(base), ClassSchema):
                    self._problem(cls.origin, f"class '{cls.name}'.bases: no schema class '{base}'")
            for attribute, held in cls.parts.items():
                if not isinstance(self._by_name.get(held), ClassSchema):
                    self._problem(cls.origin, f"class '{cls.name}'.parts.{attribute}: no schema class '{held}'")
        for fac in self.factories.values():
            if not isinstance(self._by_name.get(fac.returns), ClassSchema):
                self._problem(fac.origin, f"factory '{fac.name}'.returns: no schema class '{fac.returns}'")
            if fac.kwargs_of is not None and not isinstance(self._by_name.get(fac.kwargs_of), ClassSchema):
                self._problem(fac.origin, f"factory '{fac.name}'.kwargs_of: no schema class '{fac.kwargs_of}'")
        if self._problems:
            return  # the checks below follow these names
        for fac in self.factories.values():
            self._check_receiver_keys(fac)
        for cls in self.classes.values():
            for knob in cls.knobs:
                unknown = sorted(set(knob.replaced_by) - self.methods(cls))
                if unknown:
                    self._problem(cls.origin, f"class '{cls.name}'.knob '{knob.concept}'.replaced_by: "
                                              f"{', '.join(map(repr, unknown))} not among the methods")
        for item in (*self.classes.values(), *self.factories.values()):
            for override in item.overrides:
                self._check_override(item, override)
        from .settings_schema import settings_problems  # only with the schemas loaded

        self._problems.extend(settings_problems(self))

    def _check_override(self, item: ClassSchema | FactorySchema, override: Override) -> None:
        """The override's keywords are the item's own, and `target` takes the ignored ones."""
        kind = "class" if isinstance(item, ClassSchema) else "factory"
        where = f"{kind} '{item.name}'.override '{override.argument}'"
        kwargs = self.call_target(item).kwargs
        if kwargs is None:
            return self._problem(item.origin, f"{where}: needs the item's kwargs")
        listed = {override.argument, *(override.ignores or ()), *(override.ignores_all_but or ()), *override.unless}
        if listed - kwargs:
            self._problem(item.origin, f"{where}: {', '.join(map(repr, sorted(listed - kwargs)))} not among the kwargs")
        if override.target is None:
            return
        target = self._by_name.get(override.target)
        if not isinstance(target, ClassSchema):
            return self._problem(item.origin, f"{where}.target: no schema class '{override.target}'")
        homeless = sorted(name for name in override.ignored(kwargs)
                          if override.advice(name) is None and name not in (target.kwargs or ()))
        if target.kwargs is not None and homeless:
            self._problem(item.origin, f"{where}.instead: {', '.join(map(repr, homeless))} not keywords of "
                                       f"{target.name}: say where they go")

    def _check_receiver_keys(self, fac: FactorySchema) -> None:
        """`ready_after` and `copies_settings` describe the receiver of an instance-method factory."""
        if not fac.ready_after and not fac.copies_settings:
            return
        receiver = self._by_name.get(fac.name.rpartition(".")[0])
        where = f"factory '{fac.name}'"
        if not isinstance(receiver, ClassSchema):
            key = "ready_after" if fac.ready_after else "copies_settings"
            return self._problem(fac.origin, f"{where}.{key}: needs a method of a schema class (the receiver)")
        unknown = sorted(set(fac.ready_after) - self.methods(receiver))
        if unknown:
            self._problem(fac.origin, f"{where}.ready_after: not methods of '{receiver.name}': {', '.join(unknown)}")
        if fac.copies_settings and self._by_name.get(fac.returns) is not receiver:
            self._problem(fac.origin, f"{where}.copies_settings: the factory must return its receiver's class")

    # ------------------------------------------------------------------ lookups

    def lookup(self, qualname: str) -> ClassSchema | FactorySchema | None:
        """A class or factory by any of its names.

        `qpid.messaging.Connection.establish` is found through the class alias
        `qpid.messaging.Connection`, so factories need listing only once.
        """
        item = self._by_name.get(qualname)
        if item is not None:
            return item
        owner, _, member = qualname.rpartition(".")
        cls = self._by_name.get(owner)
        if isinstance(cls, ClassSchema) and owner != cls.name:
            return self._by_name.get(f"{cls.name}.{member}")
        return None

    def library_of(self, cls: ClassSchema) -> LibrarySchema | None:
        return self._library_of.get(cls.name)

    def routes(self, cls: ClassSchema) -> list[Route]:
        """The objects that are part of `cls`'s connection, and how code reaches each: an
        instance-method factory (SSHClient -> `get_transport()`), except one whose own keywords
        configure a new connection (aiohttp `ws_connect()`), or an attribute that holds it
        (pysftp's Connection -> `_transport`, the class's `parts`). One route per class reached,
        the nearest in the method resolution order first."""
        found: dict[str, Route] = {}
        for owner in self.mro(cls):
            prefix = f"{owner.name}."
            for name, factory in self.factories.items():
                if not name.startswith(prefix) or "." in name[len(prefix):]:
                    continue
                if self.call_target(factory).own_connection:
                    continue  # a connection of its own (aiohttp ws_connect()), not a part of cls's
                returned = self.lookup(factory.returns)
                if returned is not cls:
                    found.setdefault(returned.name, Route(returned, f"{name[len(prefix):]}()", factory.ready_after))
            for attribute, held in owner.parts.items():
                returned = self.lookup(held)
                found.setdefault(returned.name, Route(returned, attribute))
        return list(found.values())

    def part(self, cls: ClassSchema, attribute: str) -> ClassSchema | None:
        """The class of the object `cls` holds in `attribute` (its `parts`), inherited ones included.
        Asked for every attribute read on a known client, so answered from one table."""
        held = self._parts.get(cls.name)
        return held.get(attribute) if held else None

    @cached_property
    def _parts(self) -> dict[str, dict[str, ClassSchema]]:
        """Class name -> attribute -> the part's class, for the classes that hold parts (few)."""
        table = {}
        for cls in self.classes.values():
            merged = {attribute: self.lookup(held) for owner in reversed(self.mro(cls))
                      for attribute, held in owner.parts.items()}
            if merged:
                table[cls.name] = merged
        return table

    def names(self) -> Iterable[str]:
        """Every qualified name of a class or factory, aliases included."""
        return self._by_name.keys()

    def method_factory(self, cls: ClassSchema, method: str) -> FactorySchema | None:
        """A factory reached through an instance: `client.get_transport()`."""
        for owner in self.mro(cls):
            item = self._by_name.get(f"{owner.name}.{method}")
            if isinstance(item, FactorySchema):
                return item
        return None

    def mro(self, cls: ClassSchema) -> list[ClassSchema]:
        order, pending = [], [cls]
        while pending:
            current = pending.pop(0)
            if current in order:
                continue
            order.append(current)
            pending.extend(self.classes[b] if b in self.classes else self._by_name[b] for b in current.bases)
        return order

    def attributes(self, cls: ClassSchema) -> frozenset[str] | None:
        """Settable attributes, inherited ones included; None when unchecked."""
        if cls.attributes is None:
            return None
        names: set[str] = set()
        for owner in self.mro(cls):
            names |= owner.attributes or set()
        return frozenset(names)

    def methods(self, cls: ClassSchema) -> frozenset[str]:
        names: set[str] = set()
        for owner in self.mro(cls):
            names |= owner.methods
        return frozenset(names)

    def notes(self, cls: ClassSchema) -> dict[str, str]:
        merged: dict[str, str] = {}
        for owner in reversed(self.mro(cls)):
            merged.update(owner.notes)
        return merged

    def option_keys(self, cls: ClassSchema) -> dict[str, frozenset[str]]:
        """Collection name -> the string keys the library knows, inherited ones included."""
        merged: dict[str, frozenset[str]] = {}
        for owner in reversed(self.mro(cls)):
            merged.update(owner.option_keys)
        return merged

    def method_kwargs(self, cls: ClassSchema, method: str) -> frozenset[str] | None:
        """Every keyword `method` of `cls` (or of a base) takes; None when the schema does not list them."""
        for owner in self.mro(cls):
            if method in owner.method_kwargs:
                return owner.method_kwargs[method]
        return None

    def history(self, cls: ClassSchema) -> tuple[NameRange, ...]:
        """The version ranges of the names of `cls`'s attributes and option keys, inherited ones included."""
        return tuple(entry for owner in self.mro(cls) for entry in owner.history)

    def class_vocabulary(self, cls: ClassSchema) -> dict[str, str]:
        merged: dict[str, str] = {}
        for owner in reversed(self.mro(cls)):
            merged.update(owner.vocabulary)
        return merged

    def call_target(self, item: ClassSchema | FactorySchema) -> CallTarget:
        if isinstance(item, ClassSchema):
            kwargs = None if item.kwargs is None else frozenset(item.kwargs)
            return CallTarget(item.display_name, item, kwargs, item.unknown_kwargs, dict(item.notes), item.library,
                              item.local_kwargs, item.settings_argument, item.address, item.transports,
                              item.overrides, kwargs_receiver=item.kwargs_receiver,
                              knob_kwargs=self._knob_kwargs(item), history=item.history)
        returns = self.lookup(item.returns)
        kwargs, receiver, history = item.kwargs, None, item.history
        if item.kwargs_of is not None:
            source = self.lookup(item.kwargs_of)
            inherited, receiver = source.kwargs, source.kwargs_receiver
            history += tuple(entry for entry in source.history if entry.kind == "kwargs")
            kwargs = None if inherited is None else (kwargs or frozenset()) | inherited
        return CallTarget(self.factory_display_name(item), returns, kwargs, item.unknown_kwargs,
                          dict(item.notes), item.library, item.local_kwargs | returns.local_kwargs,
                          item.settings_argument or returns.settings_argument, item.address,
                          overrides=item.overrides, copies_settings=item.copies_settings,
                          kwargs_receiver=receiver, knob_kwargs=self._knob_kwargs(returns), history=history,
                          own_connection=self._sets_own_knobs(kwargs, returns))

    def _knob_kwargs(self, cls: ClassSchema) -> frozenset[str]:
        return frozenset(knob.kwarg for owner in self.mro(cls) for knob in owner.knobs if knob.kwarg)

    def _sets_own_knobs(self, kwargs: frozenset[str] | None, returns: ClassSchema) -> bool:
        """Whether a factory's keywords include a liveness knob's keyword of the class it returns."""
        return bool(kwargs) and bool(kwargs & self._knob_kwargs(returns))

    def factory_display_name(self, item: FactorySchema) -> str:
        """`qpid.messaging.Connection.establish`, not where it is defined."""
        if item.aliases:
            return item.aliases[0]
        owner, _, member = item.name.rpartition(".")
        cls = self.classes.get(owner)
        return f"{cls.display_name}.{member}" if cls is not None else item.name

    # ------------------------------------------------------------------ derived

    @cached_property
    def vocabulary(self) -> dict[str, frozenset[str]]:
        """Concept -> every spelling any library uses for it."""
        concepts: dict[str, set[str]] = {}
        for lib in self.libraries:
            for concept, spellings in lib.vocabulary.items():
                concepts.setdefault(concept, set()).update(spellings)
            for cls in lib.classes:
                for concept, spelling in cls.vocabulary.items():
                    concepts.setdefault(concept, set()).add(spelling)
        return {concept: frozenset(names) for concept, names in concepts.items()}

    @cached_property
    def key_sets(self) -> tuple:
        """Every library's configuration key sets (lintkit/schemas/key_sets.py)."""
        return tuple(key_set for lib in self.libraries for key_set in lib.key_sets)

    @cached_property
    def top_level_modules(self) -> frozenset[str]:
        from .settings_schema import all_settings

        holders = {name for s in all_settings(self) for name in (*s.holders, *s.instances)}
        return frozenset(name.split(".", 1)[0] for name in (*self._by_name, *holders))

    @cached_property
    def prefilter(self) -> ImportPrefilter:
        """Whether a source imports a schema module (else it cannot have a finding)."""
        return ImportPrefilter(self.top_level_modules)


def load_schema_set(extra_paths: Iterable[str | Path] = ()) -> SchemaSet:
    """Every schema, or SchemaError listing the problems of every file (then the cross-file ones)."""
    files = bundled_schema_files() + expand_schema_paths(extra_paths)
    return SchemaSet(load_schema_files(files))


def load_schema_files(files: Iterable[str | Path]) -> list[LibrarySchema]:
    """The files' schemas; SchemaError with the problems of all the files that have any."""
    schemas, problems = [], []
    for path in files:
        try:
            schemas.append(load_schema_file(path))
        except SchemaError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SchemaError.of(problems)
    return schemas
