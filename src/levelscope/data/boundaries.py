"""Reading boundary files (GeoJSON, shapefiles) and code lookups into geographies.

Shapes are kept in the file's own coordinate reference system (British National Grid for ONS
boundaries) as WKB; maps reproject them when drawn.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape

from levelscope.data import codes
from levelscope.data.model import Geography
from levelscope.errors import Problem, ValidationError

#: Names of the coordinate reference system of longitude/latitude in degrees.
LON_LAT = ("EPSG:4326", "OGC:CRS84")


def is_lon_lat(crs: str | None) -> bool:
    """Whether ``crs`` names longitude/latitude degrees (``None``, unknown, is not assumed to)."""
    return crs is not None and crs.upper() in LON_LAT


@dataclass
class Boundaries:
    """Places and their shapes (WKB) from one boundary file."""

    geographies: list[Geography]
    shapes: dict[str, bytes]
    crs: str | None


def _code_and_name_fields(fields: list[str], file: str) -> tuple[str, str]:
    code = next((f for f in fields if f.upper().endswith("CD")), None)
    name = next((f for f in fields if f.upper().endswith("NM")), None)
    if not code or not name:
        raise ValidationError(
            Problem(file=file, reason=f"no code (…CD) and name (…NM) fields among {fields}")
        )
    return code, name


def _geography(code: str, name: str, file: str) -> Geography:
    level = codes.level_of(code)
    if level is None:
        raise ValidationError(Problem(file=file, value=code, reason="unrecognised area code"))
    parents = tuple(p for p in (codes.itl_parent(code), codes.nation_of(code)) if p)
    return Geography(code=code, name=name, level=level, parents=parents)


def read_geojson(path: Path) -> Boundaries:
    """Areas and shapes from an ONS GeoJSON boundary file (``LAD23CD`` / ``LAD23NM`` style)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    features = data.get("features", [])
    if not features:
        raise ValidationError(Problem(file=path.name, reason="no features"))
    code_field, name_field = _code_and_name_fields(list(features[0]["properties"]), path.name)
    crs = data.get("crs", {}).get("properties", {}).get("name", "EPSG:4326")
    places, shapes = [], {}
    for feature in features:
        props = feature["properties"]
        code = str(props[code_field]).strip()
        places.append(_geography(code, str(props[name_field]).strip(), path.name))
        shapes[code] = shapely.to_wkb(shape(feature["geometry"]))
    return Boundaries(places, shapes, _short_crs(crs))


def read_shapefile(path: Path) -> Boundaries:
    """Areas and shapes from an ONS shapefile (``ITL321CD`` / ``ITL321NM`` style)."""
    import shapefile

    reader = shapefile.Reader(str(path.with_suffix("")))
    fields = [f[0] for f in reader.fields[1:]]
    code_field, name_field = _code_and_name_fields(fields, path.name)
    places, shapes = [], {}
    for item in reader.iterShapeRecords():
        record = item.record.as_dict()
        code = str(record[code_field]).strip()
        places.append(_geography(code, str(record[name_field]).strip(), path.name))
        shapes[code] = shapely.to_wkb(shape(item.shape.__geo_interface__))
    prj = path.with_suffix(".prj")
    crs = "EPSG:27700" if prj.exists() and "British_National_Grid" in prj.read_text() else None
    return Boundaries(places, shapes, crs)


def read_parent_lookup(path: Path) -> dict[str, tuple[str, str]]:
    """Child code → (parent code, parent name) from an ONS lookup CSV (e.g. LAD23CD → RGN23CD)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        codes_ = [f for f in fields if f.upper().endswith("CD")]
        names = [f for f in fields if f.upper().endswith("NM")]
        if len(codes_) < 2 or len(names) < 2:
            raise ValidationError(
                Problem(file=path.name, reason=f"expected child and parent code/name columns, got {fields}")
            )
        return {
            row[codes_[0]].strip(): (row[codes_[1]].strip(), row[names[1]].strip())
            for row in reader
        }


def _short_crs(name: str) -> str:
    # "urn:ogc:def:crs:EPSG::27700" and "EPSG:27700" both mean British National Grid
    if "EPSG" in name:
        return "EPSG:" + name.rsplit(":", 1)[-1]
    return name
