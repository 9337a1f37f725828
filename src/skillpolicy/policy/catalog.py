"""Occupation catalogs (职业（工种）目录): loading, lookup, comparison and import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain.errors import CatalogError, did_you_mean
from ..domain.values import fold
from ..io.datafile import KeyedError, load_model
from ..io.resources import SearchPath, check_data_id


class Industry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    occupations: list[str] = Field(min_length=1)


class Catalog(BaseModel):
    """A published list of occupations grouped by industry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    source: str
    issued: date | None = None
    industries: list[Industry] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_duplicates(self) -> Catalog:
        seen: set[str] = set()
        for index, industry in enumerate(self.industries):
            for occupation in industry.occupations:
                key = fold(occupation)
                if key in seen:
                    raise KeyedError(
                        f"职业「{occupation}」在目录中出现了两次",
                        ("industries", index, "occupations"),
                    )
                seen.add(key)
        return self

    @property
    def occupations(self) -> list[str]:
        return [name for industry in self.industries for name in industry.occupations]

    def industry_of(self, occupation: str) -> str | None:
        wanted = fold(occupation)
        for industry in self.industries:
            if any(fold(name) == wanted for name in industry.occupations):
                return industry.name
        return None

    def __contains__(self, occupation: object) -> bool:
        return isinstance(occupation, str) and self.industry_of(occupation) is not None


def catalog_path(catalog_id: str, search: SearchPath) -> Path:
    check_data_id(catalog_id, "职业目录")
    path = search.find(f"occupations/{catalog_id}.toml")
    if path is None:
        ids = [p.stem for p in search.glob("occupations", "*.toml")]
        raise CatalogError(
            f"未知的职业目录「{catalog_id}」；现有目录：{', '.join(ids)}"
            f"{did_you_mean(catalog_id, ids)}"
        )
    return path


def load_catalog_file(path: Path) -> Catalog:
    catalog = load_model(path, Catalog)
    if catalog.id != path.stem:
        raise CatalogError(
            f"目录编号「{catalog.id}」与文件名不一致，应为「{path.stem}」", file=path, key="id"
        )
    return catalog


def load_catalog(catalog_id: str, search: SearchPath) -> Catalog:
    return load_catalog_file(catalog_path(catalog_id, search))


def list_catalogs(search: SearchPath) -> list[Catalog]:
    return [load_catalog_file(path) for path in search.glob("occupations", "*.toml")]


@dataclass(frozen=True)
class CatalogDiff:
    added: list[tuple[str, str]]  # (industry, occupation) only in B
    removed: list[tuple[str, str]]  # only in A
    moved: list[tuple[str, str, str]]  # occupation, industry in A, industry in B

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.moved)


def diff_catalogs(a: Catalog, b: Catalog) -> CatalogDiff:
    def index(catalog: Catalog) -> dict[str, tuple[str, str]]:
        return {
            fold(name): (industry.name, name)
            for industry in catalog.industries
            for name in industry.occupations
        }

    left, right = index(a), index(b)
    added = [right[key] for key in right if key not in left]
    removed = [left[key] for key in left if key not in right]
    moved = [
        (right[key][1], left[key][0], right[key][0])
        for key in left
        if key in right and fold(left[key][0]) != fold(right[key][0])
    ]
    return CatalogDiff(added=added, removed=removed, moved=moved)
