"""Business settings from ``params/``: the library and each school, validated once, strictly.

``params/library.yaml`` and ``params/schools/<BRIN>.yaml`` are loaded into pydantic models with
``extra="forbid"``; every problem in every file is reported at once, naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from leerlingimport.errors import ConfigError, ParamsError

Brin = Annotated[str, StringConstraints(pattern=r"^\d{2}[A-Z]{2}$")]


def _branch_in_range(value: str) -> str:
    if not 1 <= int(value) <= 9994:
        raise ValueError("een vestigingsnummer loopt van 0001 tot en met 9994")
    return value


BranchNumber = Annotated[
    str, StringConstraints(pattern=r"^\d{4}$"), AfterValidator(_branch_in_range)
]


def _known_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("onbekende tijdzone; gebruik bijv. Europe/Amsterdam") from None
    return value


TimeZone = Annotated[str, AfterValidator(_known_timezone)]
DUTCH_BOOLEANS = {"ja": True, "nee": False, "waar": True, "onwaar": False}


def _dutch_bool(value: object) -> object:
    """``ja`` and ``nee`` are what a Dutch librarian writes for yes and no."""
    if isinstance(value, str) and value.strip().casefold() in DUTCH_BOOLEANS:
        return DUTCH_BOOLEANS[value.strip().casefold()]
    return value


Flag = Annotated[bool, BeforeValidator(_dutch_bool)]
M = TypeVar("M", bound=BaseModel)
Las = Literal["parnassys", "esis", "magister", "somtoday", "eduarte", "informat", "wise"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RetentionDays(_Strict):
    uploads: int = Field(default=30, ge=1)
    run_artifacts: int = Field(default=30, ge=1)
    archive: int = Field(default=2555, ge=1)


class LibraryParams(_Strict):
    name: str = Field(min_length=1)
    card_prefix: Annotated[str, StringConstraints(pattern=r"^\d{1,6}$")] = "2099"
    notify_email: str = "leerlingbestanden@bibliotheek.example.org"
    timezone: TimeZone = "Europe/Amsterdam"
    retention_days: RetentionDays = RetentionDays()


class StudentNumberRules(_Strict):
    strip_brin_prefix: Flag = False
    strip_leading_zeros: Flag = False


class DeregistrationRules(_Strict):
    mode: Literal["immediate", "end_of_school_year", "grace"] = "immediate"
    grace_days: int = Field(default=0, ge=0, le=366)
    hold_above_count: int = Field(default=10, ge=0)
    hold_above_percent: float = Field(default=30, ge=0, le=100)


class SchoolParams(_Strict):
    brin: Brin
    name: str = Field(min_length=1)
    branch: BranchNumber
    sector: Literal["po", "vo", "other"] = "po"
    las: Las | None = None
    student_number: StudentNumberRules = StudentNumberRules()
    library_membership: Flag = True
    deregistration: DeregistrationRules = DeregistrationRules()
    address: Literal["home", "school", "none"] = "home"
    auto_apply: Flag = False


class Params(_Strict):
    """The library's params and every school's, keyed by BRIN."""

    library: LibraryParams
    schools: dict[str, SchoolParams]

    def school(self, brin: str) -> SchoolParams:
        """The params of one school, or a clear error naming the file that is missing."""
        try:
            return self.schools[brin.strip().upper()]
        except KeyError:
            known = ", ".join(f"{b} ({s.name})" for b, s in sorted(self.schools.items()))
            raise ConfigError(
                f"School '{brin}' is niet bekend. Bekende scholen: {known or 'geen'}. Een nieuwe "
                f"school krijgt een bestand schools/<BRIN>.yaml in de params-map."
            ) from None


def load_params(params_dir: Path) -> Params:
    """Load and validate every params file under ``params_dir``; raise ParamsError listing all."""
    problems: list[str] = []
    library = _load_model(params_dir / "library.yaml", LibraryParams, problems, params_dir)
    schools: dict[str, SchoolParams] = {}
    for path in sorted((params_dir / "schools").glob("*.yaml")):
        school = _load_model(path, SchoolParams, problems, params_dir)
        if school is None:
            continue
        if school.brin != path.stem:
            problems.append(
                f"{_rel(path, params_dir)}: brin: '{school.brin}' past niet bij de bestandsnaam; "
                f"noem het bestand {school.brin}.yaml"
            )
            continue
        schools[school.brin] = school
    if problems or library is None:
        raise ParamsError(problems)
    return Params(library=library, schools=schools)


def _load_model(path: Path, model: type[M], problems: list[str], root: Path) -> M | None:
    name = _rel(path, root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{name}: bestand ontbreekt")
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: geen geldige YAML ({exc})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{name}: verwacht sleutels met waarden, gevonden: {type(data).__name__}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(f"{name}: {line}" for line in _describe(exc.errors()))
        return None


def _describe(errors: Iterable[object]) -> list[str]:
    lines = []
    for err in errors:
        assert isinstance(err, dict)
        key = ".".join(str(p) for p in err["loc"]) or "(bestand)"
        kind = err["type"]
        if kind == "extra_forbidden":
            text = "onbekende sleutel; controleer de spelling"
        elif kind == "missing":
            text = "verplichte sleutel ontbreekt"
        elif kind == "string_type" and isinstance(err.get("input"), int):
            text = (
                f'{err["input"]} is een getal; zet de waarde tussen aanhalingstekens, bijv. "0101"'
            )
        else:
            text = f"{_dutch_message(err)} (gevonden: {str(err.get('input'))[:60]!r})"
        lines.append(f"{key}: {text}")
    return lines


def _dutch_message(err: dict[str, Any]) -> str:
    """pydantic's error, as a Dutch librarian would say it."""
    kind, context = err["type"], err.get("ctx") or {}
    if kind in ("bool_type", "bool_parsing"):
        return "verwacht ja of nee (of true/false)"
    if kind == "literal_error":
        return f"kies uit {context.get('expected', '')}".replace(" or ", " of ")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "verwacht een heel getal"
    if kind in ("float_type", "float_parsing"):
        return "verwacht een getal"
    if kind in ("greater_than_equal", "greater_than"):
        return f"moet minstens {context.get('ge', context.get('gt'))} zijn"
    if kind in ("less_than_equal", "less_than"):
        return f"mag hoogstens {context.get('le', context.get('lt'))} zijn"
    if kind == "string_pattern_mismatch":
        return "heeft niet de juiste vorm"
    if kind == "string_too_short":
        return "mag niet leeg zijn"
    if kind in ("string_type", "model_type", "dict_type"):
        return "verwacht tekst" if kind == "string_type" else "verwacht sleutels met waarden"
    if kind == "value_error":
        return str(context.get("error", err["msg"]))
    return str(err["msg"])


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
