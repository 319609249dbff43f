"""libyaml events to Python data, for the YAML loader: an explicit stack, no recursion.

Part of :mod:`mlfolio.spec.loader`. libyaml's C parser is driven at the *event* level
and the data is built here with an explicit stack (PyYAML's C composer recurses and
crashes the whole process on a few tens of kilobytes of ``[``). Along the way the loop
records where each node starts (:class:`~mlfolio.spec.loader_result.PositionMap`),
resolves scalars (:mod:`mlfolio.spec.loader_scalars`), and enforces the rules on
structure: string keys, no duplicate or merge keys, anchors and aliases (an alias is a
deep copy that counts towards the limits; an alias inside its own anchor is refused),
:data:`~mlfolio.spec.loader.MAX_NODES` nodes, :data:`~mlfolio.spec.loader.MAX_DEPTH`
levels, and one document per file.

The loop is written for speed: events are dispatched on their exact class, and module
globals are read into locals once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

try:
    # The parser is looked up as ``_cyaml.CParser`` on each load (tests put stand-ins there).
    from yaml import cyaml as _cyaml
except ImportError as exc:  # PyYAML built without libyaml: its pure-Python parser is ~10x slower
    raise ImportError(
        "mlfolio needs PyYAML with its libyaml C extension; reinstall PyYAML from a binary wheel"
    ) from exc

from mlfolio.spec.diagnostics import Diagnostic, error, format_path
from mlfolio.spec.loader_result import MAX_DEPTH, MAX_NODES, LoadFailed, Mark, ParseFailed, PositionMap
from mlfolio.spec.loader_scalars import (
    CONSTANTS,
    MAP,
    MISSING,
    NUMBER_START,
    SEQ,
    SPECIAL_START,
    NumberTooLong,
    describe,
    number,
    show,
    tag_error,
    tagged_scalar,
)

__all__ = ["build", "too_deep"]

Path = tuple[str | int, ...]


def _copy(value: Any) -> object:
    """Deep copy of an anchored list/mapping (depth is bounded by MAX_DEPTH)."""
    if type(value) is dict:
        return {k: _copy(v) if type(v) is dict or type(v) is list else v for k, v in value.items()}
    return [_copy(v) if type(v) is dict or type(v) is list else v for v in value]


def _here(cur_map: bool, cur: Any, cur_path: Path, key: Any) -> Path:
    """Path of the node about to be placed (a key reports its mapping's path)."""
    if cur_map:
        return cur_path if key is MISSING else cur_path + (key,)
    return cur_path + (len(cur),) if cur is not None else ()


def _bad_key(
    file: str, ev: Any, value: Any, cur: dict[str, object], cur_pos: dict[str, Any], cur_path: Path
) -> LoadFailed:
    """The failure for a mapping key that is not a new string (or is a merge key)."""
    m = ev.start_mark
    at = (file, m.line + 1, m.column + 1)
    cls = ev.__class__
    if value.__class__ is not str:
        kind = describe(value)
        if cls is yaml.ScalarEvent:
            text = ev.value
        else:
            text = f"*{ev.anchor}" if cls is yaml.AliasEvent else ""
        if kind in ("a list", "a mapping"):
            message = f"{kind} cannot be a key; keys must be strings"
        elif text == "":
            message = "a key is missing (an empty key is null); keys must be strings"
        else:
            message = f"key {show(text)[1:-1]} is {kind}; keys must be strings: quote it"
        return LoadFailed(error(*at, message, "key-type", format_path(cur_path)))
    if value in cur:
        first = cur_pos[value][0]
        return LoadFailed(error(
            *at,
            f"duplicate key {show(value)}: first defined on line {first.line + 1}; "
            "YAML would silently keep only the last one, so remove or rename one",
            "duplicate-key", format_path(cur_path + (value,)),
        ))  # fmt: skip
    return LoadFailed(error(
        *at, "merge keys (`<<`) are not supported; write the fields out in full",
        "yaml-tag", format_path(cur_path),
    ))  # fmt: skip


def _alias_bomb(file: str, mark: Mark) -> Diagnostic:
    return error(
        file, mark.line + 1, mark.column + 1,
        f"aliases expand to more than {MAX_NODES} nodes (a 'billion laughs' file?)", "alias-limit",
    )  # fmt: skip


def _too_many_nodes(file: str, mark: Mark, expanded: int) -> Diagnostic:
    if expanded * 2 > MAX_NODES:  # mostly copies made by aliases
        return _alias_bomb(file, mark)
    return error(
        file, mark.line + 1, mark.column + 1,
        f"file holds more than {MAX_NODES} YAML nodes (keys, values, lists and mappings); "
        "a spec is far smaller than this", "file-too-large",
    )  # fmt: skip


def too_deep(file: str, mark: Mark) -> Diagnostic:
    """The error for a list or mapping that opens past MAX_DEPTH levels, at ``mark``."""
    return error(
        file, mark.line + 1, mark.column + 1,
        f"nesting deeper than {MAX_DEPTH} levels of lists and mappings; a spec never needs this",
        "nesting-limit",
    )  # fmt: skip


def build(raw: bytes, file: str) -> tuple[object, PositionMap]:
    """Parse one document and build it.

    Raises :class:`~mlfolio.spec.loader_result.LoadFailed` for a broken rule or limit,
    :class:`~mlfolio.spec.loader_result.ParseFailed` for libyaml's errors, and
    ``yaml.YAMLError`` for an unreadable character.
    """
    ScalarEvent = yaml.ScalarEvent
    MappingStartEvent = yaml.MappingStartEvent
    MappingEndEvent = yaml.MappingEndEvent
    SequenceStartEvent = yaml.SequenceStartEvent
    SequenceEndEvent = yaml.SequenceEndEvent
    AliasEvent = yaml.AliasEvent
    DocumentStartEvent = yaml.DocumentStartEvent
    StreamEndEvent = yaml.StreamEndEvent
    constants_get = CONSTANTS.get
    special_start = SPECIAL_START
    number_start = NUMBER_START
    resolve_number = number
    str_ = str
    NOKEY = MISSING  # the next node of the current mapping is a key

    # The containers and their position shadows are built as they come: typed Any.
    root: Any = None
    root_mark: Mark | None = None
    root_pos: Any = None
    cur: Any = None  # container being filled; None at the top
    cur_pos: Any = None  # its position shadow
    cur_map = False
    cur_path: Path = ()  # kept per container, for diagnostics only
    key: Any = NOKEY
    key_mark: Mark | None = None
    stack: list[tuple[Any, Any, bool, Path]] = []  # (cur, cur_pos, cur_map, cur_path) of the enclosing containers
    depth = 0  # number of open containers
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, node count, height in container levels)
    open_anchors: list[tuple[int, str, Mark, int, int]] = []  # (depth, name, mark, nodes before, deepest before)
    open_flows: list[tuple[int, Mark]] = []  # (depth, mark) of the open [...] / {...} collections
    deepest = 0  # deepest level reached since the innermost open anchor started
    total = 0  # nodes so far, aliases expanded
    expanded = 0  # nodes added by expanding aliases
    documents = 0
    ev: Any = None  # events are dispatched on their exact class, not narrowed by isinstance
    pos: Any  # the position shadow of a new list or mapping

    parser = _cyaml.CParser(raw)  # type: ignore[attr-defined]  # the stubs do not re-export it
    try:
        get_event: Callable[[], Any] = parser.get_event
        while True:
            ev = get_event()
            cls = ev.__class__
            if cls is ScalarEvent:
                value = ev.value
                tag = ev.tag
                if tag is None:
                    # Plain scalars resolve by the YAML 1.2 core schema; quoted ones are strings.
                    if value[:1] in special_start and not ev.style:
                        value = constants_get(value, value)
                        if value.__class__ is str_ and value[:1] in number_start:
                            value = resolve_number(value)
                else:
                    value = tagged_scalar(
                        tag, value, file, ev.start_mark, _here(cur_map, cur, cur_path, key)
                    )
                total += 1
                if total > MAX_NODES:
                    raise LoadFailed(_too_many_nodes(file, ev.start_mark, expanded))
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1, 0)
                if cur_map:
                    if key is NOKEY:
                        if value.__class__ is not str_ or value in cur or (
                            value == "<<" and not ev.style and tag is None
                        ):
                            raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                        key = value
                        key_mark = ev.start_mark
                        continue
                    cur[key] = value
                    cur_pos[key] = (key_mark, ev.start_mark)
                    key = NOKEY
                elif cur is not None:
                    cur.append(value)
                    cur_pos.append(ev.start_mark)
                else:
                    root, root_mark = value, ev.start_mark

            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                if open_anchors and open_anchors[-1][0] == depth:
                    _, name, _, before, saved = open_anchors.pop()
                    anchors[name] = (cur, total - before, deepest - depth + 1)
                    if saved > deepest:
                        deepest = saved
                if open_flows and open_flows[-1][0] == depth:
                    open_flows.pop()
                cur, cur_pos, cur_map, cur_path = stack.pop()
                depth -= 1

            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                is_map = cls is MappingStartEvent
                tag = ev.tag
                mark = ev.start_mark
                if tag is not None and tag != "!" and tag != (MAP if is_map else SEQ):
                    raise LoadFailed(tag_error(tag, file, mark, _here(cur_map, cur, cur_path, key),
                                               "a mapping" if is_map else "a list"))  # fmt: skip
                if depth >= MAX_DEPTH:
                    raise LoadFailed(too_deep(file, mark))
                total += 1
                if total > MAX_NODES:
                    raise LoadFailed(_too_many_nodes(file, mark, expanded))
                if is_map:
                    value, pos = {}, {}
                else:
                    value, pos = [], []
                if cur_map:
                    if key is NOKEY:
                        raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                    cur[key] = value
                    cur_pos[key] = (key_mark, mark, pos)
                    path = cur_path + (key,)
                    key = NOKEY
                elif cur is not None:
                    path = cur_path + (len(cur),)
                    cur.append(value)
                    cur_pos.append((mark, pos))
                else:
                    path = ()
                    root, root_mark, root_pos = value, mark, pos
                stack.append((cur, cur_pos, cur_map, cur_path))
                cur, cur_pos, cur_map, cur_path = value, pos, is_map, path
                depth += 1
                if ev.flow_style:
                    open_flows.append((depth, mark))
                if ev.anchor is not None:
                    open_anchors.append((depth, ev.anchor, mark, total - 1, deepest))
                    deepest = depth
                elif depth > deepest:
                    deepest = depth

            elif cls is AliasEvent:
                name = ev.anchor
                mark = ev.start_mark
                at = (file, mark.line + 1, mark.column + 1)
                for entry in open_anchors:
                    if entry[1] == name:
                        am = entry[2]
                        raise LoadFailed(error(
                            *at,
                            f"alias *{name} refers to the node that contains it (&{name} at line "
                            f"{am.line + 1}, column {am.column + 1}); a spec cannot contain itself",
                            "alias-limit",
                        ))  # fmt: skip
                anchored = anchors.get(name)
                if anchored is None:
                    raise LoadFailed(error(*at, f"alias *{name} has no anchor &{name} before it",
                                           "yaml-syntax"))  # fmt: skip
                value, count, height = anchored
                if total + count > MAX_NODES:
                    raise LoadFailed(_alias_bomb(file, mark))
                if depth + height > MAX_DEPTH:
                    raise LoadFailed(error(
                        *at,
                        f"nesting deeper than {MAX_DEPTH} levels of lists and mappings once alias "
                        f"*{name} is expanded; a spec never needs this", "nesting-limit",
                    ))  # fmt: skip
                total += count
                expanded += count - 1
                if height:
                    value = _copy(value)
                    if depth + height > deepest:
                        deepest = depth + height
                if cur_map:
                    if key is NOKEY:
                        if value.__class__ is not str_ or value in cur:
                            raise _bad_key(file, ev, value, cur, cur_pos, cur_path)
                        key = value
                        key_mark = mark
                        continue
                    cur[key] = value
                    cur_pos[key] = (key_mark, mark)  # the copy's nodes report the alias
                    key = NOKEY
                elif cur is not None:
                    cur.append(value)
                    cur_pos.append(mark)
                else:
                    root, root_mark = value, mark

            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = ev.start_mark
                    raise LoadFailed(error(
                        file, mark.line + 1, mark.column + 1,
                        "a second YAML document starts here; a spec file holds exactly one "
                        "(remove this `---` and what follows, or move it to its own file)",
                        "multiple-documents",
                    ))  # fmt: skip

            elif cls is StreamEndEvent:
                break
    except yaml.MarkedYAMLError as exc:
        raise ParseFailed(exc, open_flows[-1][1] if open_flows else None) from None
    except NumberTooLong:
        mark = ev.start_mark
        raise LoadFailed(error(
            file, mark.line + 1, mark.column + 1,
            f"integer of {len(ev.value):,} characters is too long: numbers in a spec lie between -10^15 and 10^15 "
            "(quote it if it is meant as text)",
            "yaml-syntax",
        )) from None  # fmt: skip
    finally:
        parser.dispose()

    if root is None:
        raise LoadFailed(error(
            file, 1, 1,
            "file is empty: a spec is a mapping that starts with `schema_version:` "
            "followed by the project's fields", "empty-file",
        ))  # fmt: skip
    return root, PositionMap(root_mark, root_pos)
