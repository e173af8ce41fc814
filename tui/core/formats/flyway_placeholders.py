"""Flyway's placeholders: `${name}` in a script is replaced before it runs, by a value its
configuration gives (`flyway.placeholders.name=value` in flyway.conf, `[flyway.placeholders]` in
flyway.toml) or by one of Flyway's own (`${flyway:defaultSchema}`, `${flyway:user}`...).

The files are read with each placeholder turned into a marker, an identifier PostgreSQL accepts
wherever the placeholder stood (a name, a string, a function body): the model and the plan work on
that. The new set is written with the placeholders back in place of the markers, so it runs under
each environment's values as the history does. The runner puts values in for the markers: the
configured one, Flyway's own, or else the marker itself (a name nobody configured)."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MARKER = re.compile(r"__ph_([0-9a-f]+)__")


@dataclass(frozen=True)
class Placeholders:
    enabled: bool = True
    prefix: str = "${"
    suffix: str = "}"
    values: dict[str, str] = field(default_factory=dict)
    default_schema: str = "public"

    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.prefix) + r"([A-Za-z0-9_.:\-]+)" + re.escape(self.suffix))


def marker(written: str) -> str:
    """The marker of a placeholder as written (`${schema}`): it spells it, so it reads back alone."""
    return f"__ph_{written.encode('utf-8').hex()}__"


def properties(root: Path) -> dict[str, str]:
    """The settings of flyway.conf and flyway.toml (in the project's folder or its conf/), named
    as flyway.conf names them (`flyway.mixed`, `flyway.placeholders.schema`)."""
    props: dict[str, str] = {}
    for path in (root / "flyway.conf", root / "conf" / "flyway.conf"):
        if path.is_file():
            for line in path.read_text("utf-8", "replace").splitlines():
                key, sep, value = line.partition("=")
                if sep and not key.lstrip().startswith(("#", "!")):
                    props[key.strip()] = value.strip()
    for path in (root / "flyway.toml", root / "conf" / "flyway.toml"):
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text("utf-8", "replace"))
            except tomllib.TOMLDecodeError:
                continue
            fly = data.get("flyway", {}) if isinstance(data.get("flyway"), dict) else {}
            for key, value in fly.items():
                if key == "placeholders" and isinstance(value, dict):
                    props.update({f"flyway.placeholders.{k}": str(v) for k, v in value.items()})
                elif not isinstance(value, dict | list):
                    props[f"flyway.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return props


def settings(root: Path, props: dict[str, str] | None = None) -> Placeholders:
    """What the project's Flyway settings say of placeholders."""
    props = properties(root) if props is None else props
    values = {k.removeprefix("flyway.placeholders."): v for k, v in props.items() if k.startswith("flyway.placeholders.")}
    schemas = [s.strip() for s in props.get("flyway.schemas", "").split(",") if s.strip()]
    return Placeholders(enabled=props.get("flyway.placeholderReplacement", "true").lower() != "false",
                        prefix=props.get("flyway.placeholderPrefix", "${"), suffix=props.get("flyway.placeholderSuffix", "}"),
                        values=values, default_schema=props.get("flyway.defaultSchema") or (schemas[0] if schemas else "public"))


def mark(text: str, ph: Placeholders) -> str:
    """The placeholders of a script as markers (none where replacement is off)."""
    if not ph.enabled or ph.prefix not in text:
        return text
    return ph.pattern().sub(lambda m: marker(m.group(0)), text)


def unmark(text: str) -> str:
    """The markers of a new file as the placeholders they stand for."""
    if "__ph_" not in text:
        return text
    return MARKER.sub(lambda m: bytes.fromhex(m.group(1)).decode("utf-8"), text)


def unmark_json(text: str) -> str:
    """JSON text with the placeholders written back inside its strings (escaped as JSON escapes them)."""
    if "__ph_" not in text:
        return text
    return MARKER.sub(lambda m: json.dumps(bytes.fromhex(m.group(1)).decode("utf-8"))[1:-1], text)


def fill(text: str, ph: Placeholders, builtins: dict[str, str]) -> str:
    """A script with a value for each marker, as Flyway fills its placeholders in."""
    if "__ph_" not in text:
        return text

    def value(m: re.Match[str]) -> str:
        name = bytes.fromhex(m.group(1)).decode("utf-8").removeprefix(ph.prefix).removesuffix(ph.suffix)
        if name in ph.values:
            return ph.values[name]
        if name == "flyway:defaultSchema":
            return ph.default_schema
        return builtins.get(name, m.group(0))

    return MARKER.sub(value, text)
