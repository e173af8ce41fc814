"""The changesets of a Liquibase changelog in YAML or JSON, as the elements an XML one has (a
change's attributes, its columns and constraints as children, its SQL as text), each with its
line: the same reading (liquibase_changes) serves all three."""

from __future__ import annotations

import yaml

from tui.core.formats.liquibase_xml import Node, XmlError

# The keys whose value is a change's text: `sql: ...` of the sql change, a view's query.
_TEXT = {("sql", "sql"), ("createView", "selectQuery"), ("createProcedure", "procedureText")}


def yaml_entries(text: str) -> tuple[list[Node], list[dict[str, str]]]:
    """The `changeSet` entries of a YAML (or JSON) changelog, in order (end_line: the entry's last
    line), and the keys and values of its `property` entries, from one reading of it."""
    try:
        doc = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise XmlError(f"not YAML ({getattr(exc, 'problem', exc)})", mark.line + 1 if mark is not None else 1) from None
    log = _get(doc, "databaseChangeLog")
    out, properties = [], []
    for item in log.value if isinstance(log, yaml.SequenceNode) else ():
        if isinstance(prop := _get(item, "property"), yaml.MappingNode):
            properties.append({k.value: v.value for k, v in prop.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)})
        body = _get(item, "changeSet")
        if body is None:
            continue
        node = _node("changeSet", body, item.start_mark.line + 1)
        # (Its end mark is where the next token starts: on a line of its own, the entry ended on the line before.)
        end = item.end_mark
        node.end_line = end.line if not text[end.index - end.column:end.index].strip() else end.line + 1
        out.append(node)
    return out, properties


def _get(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _node(tag: str, value: yaml.Node, line: int) -> Node:
    node = Node(tag, {}, line)
    if isinstance(value, yaml.ScalarNode):  # (`- sql: UPDATE ...`)
        node.text, node.text_line = value.value, _text_line(value)
        return node
    if not isinstance(value, yaml.MappingNode):
        return node
    for k, v in value.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else ""
        if isinstance(v, yaml.ScalarNode):
            if (tag, key) in _TEXT:
                node.text, node.text_line = v.value, _text_line(v)
            else:
                node.attrs[key] = v.value
        elif isinstance(v, yaml.SequenceNode) and (tag != "changeSet" or key == "changes"):  # `changes`, `columns`: items of one key each
            for item in v.value:
                if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
                    (ck, cv), = item.value
                    node.children.append(_node(ck.value, cv, ck.start_mark.line + 1))
                else:
                    node.children.append(Node(f"{key} item", {}, item.start_mark.line + 1))  # (refused by name where read)
        else:  # `constraints`; a changeset's `preConditions`, `rollback`
            node.children.append(_node(key, v, k.start_mark.line + 1))
    return node


def _text_line(value: yaml.ScalarNode) -> int:
    """Where a value's text starts: a block scalar's (`|`, `>`) on the line after its indicator."""
    line: int = value.start_mark.line
    return line + (2 if value.style in ("|", ">") else 1)

